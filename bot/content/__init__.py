"""Problem packs: loading `content/*.yaml` into engine types, and checking them against torch."""

from bot.content.loader import DEFAULT_PACK, ContentError, ContentLibrary, load_library

__all__ = ["DEFAULT_PACK", "ContentError", "ContentLibrary", "load_library"]
