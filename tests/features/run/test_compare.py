"""`!run compare`: reading the request, the leak rule per schedule, suggestions, and the reply."""

from __future__ import annotations

import pytest

from bot.content import ContentLibrary
from bot.features.run.compare import (
    CompareRequest,
    check_leaks,
    resolve_compare,
    suggest_schedules,
    wants_compare,
)
from bot.features.run.leaks import AnswerHidden, InPlay
from bot.features.run.render import COMPARE_CHART_NAME, COMPARE_TABLE_NAME, build_compare_reply
from bot.runner import RunError, RunResult
from tests.features.run.test_render import PNG, big_result, fits_discord

OPEN = "steplr-three-epochs"  # StepLR(step_size=2, gamma=0.5)


def test_compare_is_recognised_by_its_first_word() -> None:
    """`!run compare ...` is a comparison; `!run StepLR(...)` is not."""
    assert wants_compare("compare StepLR(step_size=2) ; StepLR(step_size=3)")
    assert wants_compare("COMPARE")
    assert not wants_compare("StepLR(step_size=2)")


def test_a_request_holds_labelled_runs() -> None:
    """Two schedules give two labelled specs, shared options applied."""
    request = resolve_compare(
        "compare StepLR(step_size=2) ; ExponentialLR(gamma=0.9) ; steps=6", "!run"
    )
    assert request.labels == ("StepLR(step_size=2)", "ExponentialLR(gamma=0.9)")
    assert [spec.steps for spec in request.specs] == [6, 6]


def test_a_refusal_shows_a_compare_example_with_the_command_used() -> None:
    """A bad schedule is named, and the example uses the command the member typed."""
    with pytest.raises(RunError) as refused:
        resolve_compare("compare StepLR(step_size=2) ; StepLR(gama=0.5)", "/run")
    message = str(refused.value)
    assert message.startswith("schedule 2 (`StepLR(gama=0.5)`): StepLR has no argument")
    assert (
        "For example: `/run compare StepLR(step_size=10) ; CosineAnnealingLR(T_max=50)" in message
    )


def test_the_leak_rule_applies_to_each_schedule(library: ContentLibrary) -> None:
    """A problem in play is refused as any schedule of a comparison, which is named."""
    found = library.find_problem(OPEN)
    assert found is not None
    in_play = InPlay((found[1],))
    ok = resolve_compare("compare StepLR(step_size=3) ; ExponentialLR(gamma=0.9)", "!run")
    check_leaks(ok, in_play, "!run")
    leaking = resolve_compare(
        "compare ExponentialLR(gamma=0.9) ; StepLR(gamma=0.5, step_size=2) lr=1", "!run"
    )
    with pytest.raises(AnswerHidden, match=r"^schedule 2: That schedule is part of a problem"):
        check_leaks(leaking, in_play, "!run")


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("comp", "compare StepLR(step_size=10) ; CosineAnnealingLR(T_max=50) ; steps=50"),
        ("compare Step", "compare StepLR(step_size=2, gamma=0.5)"),
        ("compare StepLR(step_size=10) ; onecy", "compare StepLR(step_size=10) ; OneCycleLR("),
    ],
)
def test_autocomplete_finishes_the_schedule_being_typed(typed: str, first: str) -> None:
    """Suggestions complete the last schedule's name with an example call."""
    values = [value for _, value in suggest_schedules(typed)]
    assert values
    assert values[0].startswith(first)
    assert all(len(value) <= 100 for value in values)


def test_autocomplete_stays_quiet_inside_arguments_and_for_other_text() -> None:
    """Once arguments are being typed, or for an ordinary run, nothing is suggested."""
    assert suggest_schedules("compare StepLR(step_si") == []
    assert suggest_schedules("StepLR(") == []
    assert suggest_schedules("steplr-thr") == []


def test_the_reply_has_a_key_a_column_per_schedule_and_the_chart() -> None:
    """A short comparison: the key and every step in the description, no CSV."""
    request = resolve_compare(
        "compare StepLR(step_size=2) ; ExponentialLR(gamma=0.5) ; steps=4", "!run"
    )
    results = (
        RunResult(groups=((0.1, 0.05, 0.05, 0.025),), initial=(0.1,)),
        RunResult(groups=((0.05, 0.025, 0.0125, 0.00625),), initial=(0.1,)),
    )
    reply = build_compare_reply(request, results, PNG)
    description = reply.embed.description or ""
    assert "1: StepLR(step_size=2)\n2: ExponentialLR(gamma=0.5)" in description
    rows = [line.split() for line in description.splitlines()]
    assert ["4", "0.025", "0.00625"] in rows
    assert reply.embed.image.url == f"attachment://{COMPARE_CHART_NAME}"
    assert [f.filename for f in reply.files()] == [COMPARE_CHART_NAME]
    assert reply.embed.title == "2 schedules compared · SGD(lr=0.1) · 4 steps"


def test_the_largest_noisy_comparison_fits_discord_with_the_csv_attached() -> None:
    """Four 10,000-step runs, each with long warnings and an error, fit every embed limit."""
    text = " ; ".join(f"CosineAnnealingLR(T_max={n * 100})" for n in range(1, 5))
    request: CompareRequest = resolve_compare(f"compare {text} ; steps=10000", "!run")
    results = (big_result(noisy=True),) * 4
    reply = build_compare_reply(request, results, PNG)
    fits_discord(reply.embed)
    assert [f.filename for f in reply.files()] == [COMPARE_CHART_NAME, COMPARE_TABLE_NAME]
    assert f"`{COMPARE_TABLE_NAME}` (attached)" in (reply.embed.description or "")
    assert [field.name for field in reply.embed.fields][:2] == [
        "❌ schedule 1: torch stopped with an error",
        "⚠️ schedule 1: torch warned",
    ]
    assert reply.table is not None
    assert len(reply.table.splitlines()) == 1 + 10_001
