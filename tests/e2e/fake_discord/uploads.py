"""Discord's upload limit, as the fake enforces it: files past it get 413 / 40005.

Discord counts every file of one request together (it limits the request, not each
file); a server without boosts takes 10 MiB, discord.py's `Guild.filesize_limit` for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

UPLOAD_LIMIT = 10 * 1024 * 1024


class Upload(Protocol):
    """What the check needs of an uploaded file: its bytes."""

    @property
    def data(self) -> bytes:
        """The file's contents."""
        ...


class UploadTooLarge(Exception):
    """The files of one request add up to more than the limit."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"Request entity too large ({size} bytes of files; the limit is {limit})")
        self.size = size
        self.limit = limit


def check_upload(files: Sequence[Upload], limit: int = UPLOAD_LIMIT) -> None:
    """Raise UploadTooLarge if the files together pass `limit` bytes."""
    size = sum(len(upload.data) for upload in files)
    if size > limit:
        raise UploadTooLarge(size, limit)
