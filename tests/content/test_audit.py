"""Tests for `anneal content audit`: each cue rule catches a pack built to leak it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.content import load_library
from bot.content.audit import (
    GATE_MIN,
    RULES,
    GroupAudit,
    Rule,
    audit_group,
    duplicates,
    option_numbers,
    score,
    shipped_groups,
    start_rates,
)
from bot.engine.problems import LETTERS, Problem
from bot.settings import SHIPPED_CONTENT_DIR
from tests.content.test_loader import write_pack
from tests.engine.conftest import make_problem

RULE = {rule.name: rule for rule in RULES}


def problem(index: int, options: list[str], answer: int, **changes: Any) -> Problem:
    """A problem with these options (in order) whose key is `options[answer]`."""
    letters = LETTERS[: len(options)]
    data = make_problem(f"p{index}", answer=letters[answer], **changes)
    data["options"] = dict(zip(letters, options, strict=True))
    data["why_not"] = {letter: "wrong" for letter in letters if letter != letters[answer]}
    return Problem.model_validate(data)


def rotated(
    count: int, build: Callable[[int], tuple[list[str], int]], **changes: Any
) -> list[Problem]:
    """`count` problems; `build(i)` gives the options and the key's index, moved to letter i % 4.

    Rotating the key through the letters keeps the position rules at chance, so a test sees
    the one cue it built in and nothing else.
    """
    made = []
    for i in range(count):
        options, key = build(i)
        shift = (i % len(options)) - key
        order = [options[(j - shift) % len(options)] for j in range(len(options))]
        made.append(problem(i, order, order.index(options[key]), **changes))
    return made


def rate(rule_name: str, problems: list[Problem]) -> float:
    return score(RULE[rule_name], problems).rate


def failing(group: GroupAudit) -> set[str]:
    return {s.rule.name for s in group.failures}


def test_the_longest_option_always_right_is_caught() -> None:
    """A pack whose key is always the longest option fails on `longest` and nothing else."""
    problems = rotated(
        24,
        lambda i: (
            [
                f"answer {i} with a careful, complete and much longer explanation",
                f"wrong {i} short",
                f"wrong {i} a bit longer",
                f"wrong {i} longer than that one",
            ],
            0,
        ),
    )
    group = audit_group("crafted", problems)
    assert rate("longest", problems) == 1.0
    assert "longest" in failing(group)
    assert not failing(group) & {"always A", "always B", "always C", "always D"}


def test_a_fixed_letter_is_caught() -> None:
    """Keys that are always C fail the `always C` rule, and the other letters score 0."""
    problems = [problem(i, ["w", "x", "y", "z"], 2) for i in range(GATE_MIN)]
    group = audit_group("crafted", problems)
    assert "always C" in failing(group)
    assert rate("always A", problems) == 0.0


def test_second_smallest_number_is_caught() -> None:
    """Numeric options whose key is always the second-smallest value fail that rule."""
    problems = rotated(20, lambda i: ([f"0.{i + 1}", f"0.0{i + 1}", f"1.{i + 1}", f"2.{i + 1}"], 0))
    assert rate("2nd-smallest value", problems) == 1.0
    assert rate("smallest value", problems) == 0.0
    assert "2nd-smallest value" in failing(audit_group("crafted", problems))


def test_the_start_rate_as_key_is_caught() -> None:
    """When the optimizer's lr in the code is always the key, `start rate` finds it."""
    code = "optimizer = SGD(params, lr=0.1)\nprint(optimizer.param_groups[0]['lr'])"
    problems = rotated(
        GATE_MIN,
        lambda i: (["0.1", "0.05", "0.025", f"0.00{i + 2}"], 0),
        code=code,
        kind="predict_output",
    )
    assert rate("start rate", problems) == 1.0
    assert "start rate" in failing(audit_group("crafted", problems))


def test_the_option_most_like_the_others_is_caught() -> None:
    """A key that the distractors are all small edits of is the most alike by difflib."""
    problems = rotated(
        20,
        lambda i: (
            [
                f"StepLR(optimizer, step_size={i + 2}, gamma=0.5)",
                f"StepLR(optimizer, step_size={i + 9}, gamma=0.5)",
                f"StepLR(optimizer, step_size={i + 2}, gamma=0.9)",
                f"MultiStepLR(optimizer, milestones=[{i + 2}], gamma=0.5)",
            ],
            0,
        ),
    )
    assert rate("most alike (difflib)", problems) > 0.9
    assert "most alike (difflib)" in failing(audit_group("crafted", problems))


def test_a_balanced_pack_passes() -> None:
    """Keys that rotate through letters and length ranks fail no rule."""
    words = ["alpha", "beta gamma", "delta epsilon zeta", "eta theta iota kappa lambda"]
    made = []
    for i in range(24):
        options = [f"{word} {i}" for word in words]
        made.append(problem(i, options, (i + i // 4) % 4))
    group = audit_group("balanced", made)
    assert failing(group) == set()
    assert rate("always A", made) == 0.25


def test_ties_earn_a_share_and_unclear_cues_abstain() -> None:
    """A rule that cannot tell two options apart earns half; one that does not apply abstains."""
    tied = problem(0, ["aa", "bb", "c", "d"], 0)  # A and B are both longest
    assert score(RULE["longest"], [tied]).hits == 0.5
    prose = problem(1, ["one thing", "another thing", "a third", "the last"], 1)
    assert score(RULE["smallest value"], [prose]).tried == 0
    assert score(RULE["start rate"], [prose]).tried == 0


def test_small_groups_are_reported_but_not_gated() -> None:
    """A rule right every time on fewer than GATE_MIN problems does not fail the group."""
    problems = [problem(i, ["w", "x", "y", "z"], 0) for i in range(GATE_MIN - 1)]
    group = audit_group("small", problems)
    assert rate("always A", problems) == 1.0
    assert group.failures == []


def test_numbers_are_read_from_one_template() -> None:
    """Options count as numeric only when they are one text with different numbers."""
    lists = problem(0, ["[0.1, 0.05]", "[0.05, 0.025]", "[1e-06, 0.5]", "[2, 3]"], 0)
    assert option_numbers(lists) == {
        "A": (0.1, 0.05),
        "B": (0.05, 0.025),
        "C": (1e-06, 0.5),
        "D": (2.0, 3.0),
    }
    calls = problem(1, ["After 10, 20 and 40 calls", "After 2,000 and 4,000 calls"], 0)
    assert option_numbers(calls) == {"A": (10.0, 20.0, 40.0), "B": (2000.0, 4000.0)}
    mixed = problem(2, ["0.05 from the start", "T_0 counts calls"], 0)
    assert option_numbers(mixed) is None


def test_start_rates_come_from_the_code() -> None:
    """`lr=0.1` and `"lr": 0.01` are start rates; `max_lr=` and `base_lr=` are not."""
    code = 'SGD([{"params": a, "lr": 0.01}], lr=0.1)\nCyclicLR(opt, base_lr=0.5, max_lr=1.0)'
    assert start_rates(problem(0, ["a", "b"], 0, code=code)) == {0.1, 0.01}


def test_duplicates_are_the_same_code_and_options() -> None:
    """Two problems that show the same snippet and options are reported as a pair."""
    first = problem(0, ["0.1", "0.2"], 0, code="print(0.1)")
    again = problem(1, ["0.2", "0.1"], 1, code="print(0.1)")
    other = problem(2, ["0.1", "0.2"], 0, code="print(0.2)")
    assert duplicates([first, again, other]) == [("p0", "p1")]


def test_every_rule_has_a_name_and_description() -> None:
    """Rules are told apart by name in the report."""
    assert len({rule.name for rule in RULES}) == len(RULES)
    assert all(isinstance(rule, Rule) and rule.description for rule in RULES)


def test_shipped_packs_pass_the_audit() -> None:
    """No rule finds more than 40 % of the keys in any shipped group of 20 or more."""
    library = load_library(SHIPPED_CONTENT_DIR)
    groups = shipped_groups({pid: pack.problems for pid, pack in library.packs.items()})
    assert groups["all packs"], "the shipped content has problems"
    failures = [
        f"{name}: {s.rule.name} {s.hits:.1f}/{s.tried}"
        for name, problems in groups.items()
        for s in audit_group(name, problems).failures
    ]
    assert failures == []


def test_cli_fails_on_a_leaking_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`anneal content audit DIR` exits 1 and names the rule and the group."""
    leaking = [
        make_problem(
            f"leak-{i}",
            answer="D",
            options={"A": "no", "B": "nope", "C": "not it", "D": f"the one right answer {i}"},
        )
        for i in range(GATE_MIN)
    ]
    write_pack(tmp_path, "leaky", *leaking)
    assert main(["content", "audit", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "pack leaky: always D" in out
    assert "pack leaky: longest" in out


def test_cli_passes_on_the_shipped_packs(capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped content passes, and every pack appears in the report."""
    assert main(["content", "audit", str(SHIPPED_CONTENT_DIR)]) == 0
    out = capsys.readouterr().out
    for pack in load_library(SHIPPED_CONTENT_DIR).packs:
        assert f"pack {pack}" in out


@pytest.mark.torch
def test_cli_audits_generated_problems(capsys: pytest.CaptureFixture[str]) -> None:
    """`--generated N` makes N problems with torch and reports them as their own group."""
    main(["content", "audit", str(SHIPPED_CONTENT_DIR), "--generated", "10"])
    out = capsys.readouterr().out
    assert "  generated " in out
    assert "Duplicates among the 10 generated problems:" in out
