"""Shared fixtures for the `!run` feature's tests: the shipped content."""

from __future__ import annotations

import pytest

from bot.content import ContentLibrary, load_library
from bot.settings import SHIPPED_CONTENT_DIR


@pytest.fixture(scope="package")
def library() -> ContentLibrary:
    """The shipped content, loaded once for these tests (nothing changes it)."""
    return load_library(SHIPPED_CONTENT_DIR)
