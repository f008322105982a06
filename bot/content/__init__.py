"""Problem packs: loading `content/*.yaml` into engine types, and checking them against torch."""

from bot.content.loader import (
    DEFAULT_PACK,
    FRESH_PACK_ID,
    ContentError,
    ContentLibrary,
    load_library,
)

__all__ = ["DEFAULT_PACK", "FRESH_PACK_ID", "ContentError", "ContentLibrary", "load_library"]
