"""Tests for bot.features.organiser.export: CSV rows, and files that fit the upload limit."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import random

import pytest

from bot.features.organiser.export import (
    COLUMNS,
    MIN_LIMIT,
    ExportBuilder,
    csv_row,
    iso_time,
    safe_text,
)
from bot.storage import ExportedAttempt

T0 = 1_741_780_800.0  # 2025-03-12 12:00 UTC


def attempts(count: int, seed: int = 3) -> list[ExportedAttempt]:
    """`count` attempts with varied, hard to compress values, one second apart."""
    rng = random.Random(seed)
    return [
        ExportedAttempt(
            session_id=rng.randrange(1, 10_000),
            mode=rng.choice(("challenge", "daily", "race")),
            user_id=rng.randrange(10**17, 10**18),
            display_name=f"member {rng.randrange(10**6)}",
            problem_id=f"problem-{rng.randrange(500)}",
            option=rng.choice("ABCD"),
            correct=rng.random() < 0.5,
            attempt_number=rng.choice((1, 1, 2)),
            points=rng.choice((0, 50, 100)),
            answered_at=T0 + n + 0.25,
        )
        for n in range(count)
    ]


def rows_of(data: bytes) -> list[list[str]]:
    """The CSV rows (header first) of a file's bytes, gunzipped if need be."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return list(csv.reader(io.StringIO(data.decode())))


def test_a_row_is_the_attempt_with_an_iso_utc_time() -> None:
    """Each column in order; the time to the millisecond in UTC; correct as 0/1."""
    [attempt] = attempts(1)

    row = csv_row(attempt)

    assert len(row) == len(COLUMNS)
    assert row[COLUMNS.index("answered_at")] == "2025-03-12T12:00:00.250+00:00"
    assert row[COLUMNS.index("correct")] == int(attempt.correct)
    assert iso_time(0.0) == "1970-01-01T00:00:00.000+00:00"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@me", "'@me"),
        ("two\nlines", "two lines"),
        ('plain, with "quotes"', 'plain, with "quotes"'),
    ],
)
def test_names_are_one_line_and_never_a_formula(name: str, shown: str) -> None:
    """Cells a spreadsheet would run get a quote first; line breaks become spaces."""
    assert safe_text(name) == shown


def test_a_small_export_is_one_plain_csv() -> None:
    """Under the limit: one .csv whose rows read back as written, commas and quotes too."""
    written = attempts(50)
    written[3] = dataclasses.replace(written[3], display_name='Ada, "the" 1st')
    builder = ExportBuilder("server", limit=1 << 20)
    builder.add(written[:20])
    builder.add(written[20:])

    export = builder.finish()

    [file] = export.files
    assert (file.name, export.compressed, export.complete) == ("server.csv", False, True)
    rows = rows_of(file.data)
    assert tuple(rows[0]) == COLUMNS
    assert rows[1:] == [[str(cell) for cell in csv_row(a)] for a in written]
    assert rows[4][COLUMNS.index("display_name")] == 'Ada, "the" 1st'
    assert export.last_written_at == iso_time(written[-1].answered_at)


def test_past_the_limit_it_is_gzipped_then_split_into_whole_rows() -> None:
    """Each part fits the limit, starts with the header, and the parts hold every row in order."""
    written = attempts(6_000)
    limit = 64 * 1024
    builder = ExportBuilder("server", limit=limit, max_parts=10)
    builder.add(written)

    export = builder.finish()

    assert export.compressed
    assert export.complete
    assert len(export.files) > 1
    assert export.files[0].name == f"server-part1-of-{len(export.files)}.csv.gz"
    assert all(len(f.data) <= builder.room < limit for f in export.files)
    parts = [rows_of(f.data) for f in export.files]
    assert all(tuple(part[0]) == COLUMNS for part in parts)
    assert [row for part in parts for row in part[1:]] == [
        [str(cell) for cell in csv_row(a)] for a in written
    ]


def test_out_of_parts_it_says_how_far_it_got() -> None:
    """With too few parts allowed, the files hold the first rows and name the last time."""
    written = attempts(6_000)
    builder = ExportBuilder("server", limit=MIN_LIMIT, max_parts=2)
    builder.add(written)

    export = builder.finish()

    assert len(export.files) == 2
    assert not export.complete
    assert 0 < export.rows_written < export.rows == 6_000
    kept = [row for f in export.files for row in rows_of(f.data)[1:]]
    assert len(kept) == export.rows_written
    assert kept[-1][-1] == export.last_written_at == iso_time(written[len(kept) - 1].answered_at)


def test_one_compressed_file_when_gzip_is_enough() -> None:
    """A CSV over the limit that compresses under it is one .csv.gz."""
    same = [attempts(1)[0]] * 3_000  # repeats: compresses very well
    builder = ExportBuilder("server", limit=MIN_LIMIT)
    builder.add(same)

    export = builder.finish()

    assert [f.name for f in export.files] == ["server.csv.gz"]
    assert len(rows_of(export.files[0].data)) == 3_001


def test_a_limit_too_small_for_any_file_is_refused() -> None:
    """Parts need room for the header and a block of rows."""
    with pytest.raises(ValueError, match="at least"):
        ExportBuilder("server", limit=MIN_LIMIT - 1)


def test_an_export_of_nothing_is_the_header_alone() -> None:
    """No attempts: one CSV with the header, and no last time."""
    export = ExportBuilder("server", limit=MIN_LIMIT).finish()

    assert export.rows == 0
    assert export.last_written_at is None
    assert rows_of(export.files[0].data) == [list(COLUMNS)]
