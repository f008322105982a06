"""Fresh predict-the-output problems, generated on demand and answered by torch.

`generate.py` makes the packs and problems; `templates/` holds what the generator knows
about each scheduler.
"""

from bot.content.generator.generate import (
    FRESH_PACK_ID,
    GenerationError,
    Runner,
    fresh_pack,
    generate_fresh_pack,
    generate_pack,
    generate_problem,
    make_id,
    render_code,
)

__all__ = [
    "FRESH_PACK_ID",
    "GenerationError",
    "Runner",
    "fresh_pack",
    "generate_fresh_pack",
    "generate_pack",
    "generate_problem",
    "make_id",
    "render_code",
]
