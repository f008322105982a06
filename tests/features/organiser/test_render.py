"""Tests for bot.features.organiser.render: the overview, problem and export texts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import discord

from bot.content import ContentLibrary
from bot.engine.problems import Problem
from bot.features.organiser.export import Export, ExportFile
from bot.features.organiser.numbers import (
    ProblemAccuracy,
    last_weeks,
    server_statistics,
    shipped_problems,
)
from bot.features.organiser.render import (
    MAX_SUGGESTIONS,
    SCOPE,
    empty_text,
    export_text,
    not_played_text,
    overview_embed,
    problem_embed,
    suggestions,
)
from bot.storage import OptionPicks, ProblemOutcome
from tests.engine.conftest import make_pack, make_problem

WEDNESDAY = datetime(2025, 3, 12, 12, tzinfo=UTC).timestamp()
PACK = make_pack(
    make_problem("p1", answer="B", title="Step *size* counts calls"),
    make_problem("p2", answer="A", kind="debug", subject=["StepLR"]),
)
LIBRARY = ContentLibrary(packs={PACK.id: PACK}, sources={})


def fields(embed: discord.Embed) -> dict[str, str]:
    """Each field's value by name."""
    return {str(f.name): str(f.value) for f in embed.fields}


def overview(rows: list[OptionPicks], **changes: Any) -> discord.Embed:
    """The overview embed of these first tries (guild "Study group", prefix `!`)."""
    problems = shipped_problems(LIBRARY, {row.problem_id for row in rows})
    stats = server_statistics(last_weeks(WEDNESDAY), [], rows, problems, **changes)
    return overview_embed(stats, problems, guild_name="Study group", prefix="!")


def test_the_overview_lists_the_most_missed_with_their_trap() -> None:
    """Rank, escaped title, id, accuracy, and the wrong option picked most with its text."""
    embed = overview(
        [
            OptionPicks("p1", "B", True, 1),
            OptionPicks("p1", "A", False, 3),
            OptionPicks("p2", "A", True, 4),
        ]
    )

    assert embed.title == "📊 Study group: statistics"
    assert embed.description is not None
    assert embed.description.startswith("**8** first tries on **2** problems: **62%** right")
    missed = fields(embed)["❌ Most missed (first tries)"]
    assert missed == (
        "1. **Step \\*size\\* counts calls** (`p1`): 25% right of 4 · most picked wrong: "
        "**A** 3 times “one”"
    )
    assert fields(embed)["🧩 Accuracy by kind"].splitlines() == [
        "**🧠 Conceptual**: 25% (4 first tries, 1 problem)",
        "**🔧 Debug**: 100% (4 first tries, 1 problem)",
    ]
    assert embed.image.url == "attachment://stats.png"
    assert embed.footer.text is not None
    assert embed.footer.text.startswith(SCOPE)


def test_the_overview_says_what_it_leaves_out() -> None:
    """Problems in play and problems no pack holds are mentioned, not silently dropped."""
    embed = overview(
        [OptionPicks("p1", "A", False, 1), OptionPicks("gone", "C", False, 2)],
        in_play={"p1"},
    )

    missed = fields(embed)["❌ Most missed (first tries)"]
    assert missed.splitlines()[0].startswith("1. **gone** (`gone`): 0% right of 2")
    assert missed.splitlines()[-1] == "*1 missed problem in play right now: not listed.*"
    assert embed.footer.text is not None
    assert "1 problem played are in no pack any more" in embed.footer.text


def test_a_server_that_never_missed_says_so() -> None:
    """Every first try right: the most-missed field says nothing was missed."""
    embed = overview([OptionPicks("p2", "A", True, 3)])

    assert fields(embed)["❌ Most missed (first tries)"] == (
        "Nothing missed yet: every first try was right."
    )


def test_a_big_server_stays_within_discords_embed_limits() -> None:
    """Hundreds of problems and schedulers with long names still fit one embed."""

    def scheduler(n: int) -> str:
        return f"Scheduler{'x' * 40}{chr(65 + n % 26)}"

    problems = {
        f"p{n}": Problem.model_validate(
            make_problem(
                f"p{n}", title="t" * 300, schedulers=[scheduler(n)], subject=[scheduler(n)]
            )
        )
        for n in range(300)
    }
    library = ContentLibrary(
        packs={"big": make_pack(*(p.model_dump() for p in problems.values()))}, sources={}
    )
    rows = [OptionPicks(f"p{n}", "A", False, n + 1) for n in range(300)]
    found = shipped_problems(library, problems)
    stats = server_statistics(last_weeks(WEDNESDAY), [], rows, found)

    embed = overview_embed(stats, found, guild_name="g" * 200, prefix="!")

    assert len(embed) <= 6000
    assert all(len(str(f.value)) <= 1024 for f in embed.fields)


def test_the_problem_embed_lists_every_option_with_its_share() -> None:
    """All four options, the key marked, even those nobody picked; who solved it in the end."""
    accuracy = ProblemAccuracy("p1", {"A": 3, "B": 1}, frozenset("B"))
    problem = PACK.problem("p1")

    embed = problem_embed(accuracy, ProblemOutcome("p1", played=4, solved=3), problem)

    assert embed.description == "4 first tries · 25% right · 3 of 4 solved it in the end"
    assert fields(embed)["First tries per option"].splitlines() == [
        "▫️ **A** · 3 (75%) “one”",
        "✅ **B** · 1 (25%) “two”",
        "▫️ **C** · 0 (0%) “three”",
        "▫️ **D** · 0 (0%) “four”",
    ]
    assert fields(embed)["Problem"] == "`p1` · 🧠 Conceptual · StepLR"


def test_texts_for_nothing_to_show() -> None:
    """No answers yet, an unplayed problem, an unknown id: each says what to do."""
    assert "`!challenge start`" in empty_text("Study group", "!")
    assert not_played_text("p1", known=True, prefix="!").startswith("`p1` has no answers")
    unknown = not_played_text("nope`x", known=False, prefix="!")
    assert unknown.startswith("There is no problem `nope'x` in the packs")


def test_export_text_explains_gzip_parts_and_a_cut() -> None:
    """A compressed export in parts that ran out of room says all three things."""
    export = Export(
        files=(ExportFile("a-part1-of-2.csv.gz", b""), ExportFile("a-part2-of-2.csv.gz", b"")),
        rows=1_000_000,
        rows_written=900_000,
        compressed=True,
        last_written_at="2025-03-01T10:00:00.000+00:00",
    )

    text = export_text(export, guild_name="Study group")

    assert text.startswith("📄 **Study group**: 1,000,000 attempts as CSV.")
    assert "gzip-compressed" in text
    assert "2 parts" in text
    assert "Only the first 900,000 attempts fit (up to 2025-03-01T10:00:00.000+00:00)" in text
    plain = Export((ExportFile("a.csv", b""),), 5, 5, False, None)
    assert "gzip" not in export_text(plain, guild_name="g")


def test_suggestions_put_ids_starting_with_the_text_first() -> None:
    """Ids starting with it, then containing it, then titles containing it; at most 25."""
    played = ["cosine-a", "steplr-b", "a-cosine", "plain"]
    titles = {"plain": "About Cosine", "steplr-b": "Step"}

    found = suggestions(played, "cos", titles)

    assert [pid for _, pid in found] == ["cosine-a", "a-cosine", "plain"]
    assert found[2][0] == "plain · About Cosine"
    assert len(suggestions([f"p{n}" for n in range(100)], "", {})) == MAX_SUGGESTIONS
