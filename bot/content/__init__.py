"""Problem packs: loading `content/*.yaml` into engine types, and checking them against torch."""

from bot.content.loader import ContentError, ContentLibrary, load_library

__all__ = ["ContentError", "ContentLibrary", "load_library"]
