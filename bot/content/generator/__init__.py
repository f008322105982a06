"""Fresh problems, generated on demand, with every number printed by torch.

`generate.py` makes the packs and predict-the-output problems, `debug.py` the debug
problems; `program.py` is the training loop as data and as code, `shapes.py` the loop's
shapes, `options.py` chooses the options; `templates/` holds what the generator knows
about each scheduler.
"""

from bot.content.generator.generate import (
    FRESH_PACK_ID,
    LEVELS,
    TIME_LIMIT,
    GenerationError,
    Torch,
    generate_fresh_pack,
    generate_pack,
    generate_problem,
    make_id,
)

__all__ = [
    "FRESH_PACK_ID",
    "LEVELS",
    "TIME_LIMIT",
    "GenerationError",
    "Torch",
    "generate_fresh_pack",
    "generate_pack",
    "generate_problem",
    "make_id",
]
