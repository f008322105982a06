"""Generated problems, a thousand of them: each key and each trap re-run by torch on its own.

The thousand problems (conftest.py) are what `anneal content audit --generated 1000`
deals: fresh packs of five for seeds 0, 1, 2, ... The checks never reuse the generator's
numbers: every snippet, and every variant of a snippet that a trap stands for, runs
again with real torch in a separate process through `run_snippets`, as `anneal content
check` does.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Mapping

import pytest

from bot.content.check import SnippetRun, run_snippets, unmet_expectations
from bot.content.generator import FRESH_PACK_ID, GenerationError, generate_pack
from bot.content.generator.generate import generate_problem
from bot.content.generator.templates import TEMPLATES
from bot.content.snippet_session import SnippetSession
from bot.engine.problems import LETTERS, BadgeRule, Kind, Level, Pack, Problem
from bot.runner import SCHEDULER_NAMES
from tests.conftest import AnnealCli
from tests.content.generator.conftest import PACK_SIZE, PACKS

pytestmark = pytest.mark.torch


@pytest.fixture(scope="module")
def torch_runs(problems: list[Problem]) -> dict[str, SnippetRun]:
    """Every snippet and every trap variant, run by real torch in one separate process."""
    snippets: dict[str, str] = {}
    for problem in problems:
        assert problem.code is not None
        snippets[problem.id] = problem.code
        for letter, why in problem.why_not.items():
            for trap in TRAPS:
                if trap.says in why and (variant := trap.make(problem)) is not None:
                    snippets[f"{problem.id}/{letter}"] = variant
    _, runs = run_snippets(snippets)
    return runs


def printed(runs: Mapping[str, SnippetRun], key: str) -> str:
    run = runs[key]
    assert run.error is None, f"{key}: {run.error}"
    return run.stdout.strip()


# --- the contract: torch prints the key and nothing else ----------------------------------


def test_every_key_is_what_torch_prints(
    problems: list[Problem], torch_runs: dict[str, SnippetRun]
) -> None:
    """Each snippet, run by torch on its own, prints the key's text and no other option's;
    each debug snippet does what its `expect` says and what its prompt shows."""
    assert len(problems) == PACKS * PACK_SIZE
    for problem in problems:
        run = torch_runs[problem.id]
        if problem.kind is Kind.DEBUG:
            assert problem.expect is not None
            assert unmet_expectations(problem.expect, run) == [], problem.id
            shown = run.error.split(" (line ")[0] if run.error else run.stdout.strip()
            assert f"`{shown}`" in problem.prompt, problem.id
            continue
        out = printed(torch_runs, problem.id)
        matching = [letter for letter, text in problem.options.items() if text == out]
        assert matching == [problem.answer], f"{problem.id}: torch printed {out!r}"


def test_no_two_problems_are_the_same(problems: list[Problem]) -> None:
    """A thousand problems: no two with the same prompt, code and options, no id twice."""
    seen = Counter((p.prompt, p.code, tuple(sorted(p.options.values()))) for p in problems)
    assert max(seen.values()) == 1
    assert len({p.id for p in problems}) == len(problems)


@pytest.mark.asyncio(loop_scope="package")
async def test_same_seed_same_pack_other_seed_other_pack(
    session: SnippetSession, packs: dict[int, Pack]
) -> None:
    """A seed reproduces its pack exactly; another seed gives other problems."""
    again = await generate_pack(session, random.Random(7), PACK_SIZE)
    assert again == packs[7]
    first, second = ({p.id for p in packs[s].problems} for s in (7, 8))
    assert not first & second


def test_numeric_options_share_one_format(problems: list[Problem]) -> None:
    """Four plain decimals with the same number of decimals, no two alike."""
    for problem in problems:
        if problem.kind is Kind.DEBUG:
            continue
        texts = list(problem.options.values())
        assert problem.letters == LETTERS
        assert all(re.fullmatch(r"\d\.\d{4,6}", text) for text in texts), texts
        assert len({len(text) for text in texts}) == 1, texts
        assert len(set(texts)) == len(LETTERS), texts


def test_packs_are_valid_and_cover_the_whole_api(
    packs: dict[int, Pack], problems: list[Problem]
) -> None:
    """All 15 schedulers, both kinds, every level, every code shape, Adam's beta1 too."""
    for pack in packs.values():
        assert Pack.model_validate(pack.model_dump()) == pack
        assert pack.id == FRESH_PACK_ID
        assert pack.badge.rule is BadgeRule.ALL_CORRECT
    assert {p.subject[0] for p in problems} == set(SCHEDULER_NAMES)
    assert {p.kind for p in problems} == {Kind.PREDICT_OUTPUT, Kind.DEBUG}
    assert {p.level for p in problems} == set(Level)
    codes = [p.code or "" for p in problems]
    for sign in (
        "for batch in range(",  # batches per epoch
        '"params": head',  # two parameter groups
        "scheduler.get_last_lr()",
        "used.append(",  # the rate an epoch trained with
        'scheduler.load_state_dict(checkpoint["scheduler"])',  # a resume
        "['betas'][0]",  # Adam's beta1, cycled
        "['momentum']",  # SGD's momentum, cycled
        "val_losses[epoch]",  # ReduceLROnPlateau's metric
        "lambda epoch:",
    ):
        assert sum(sign in code for code in codes) >= 5, sign
    for problem in problems:
        assert set(problem.why_not) == set(problem.options) - {problem.answer}


def test_cycling_schedulers_are_stepped_per_batch(problems: list[Problem]) -> None:
    """OneCycleLR and CyclicLR are never stepped once per epoch, unless that is the bug."""
    for problem in problems:
        if problem.subject[0] not in ("OneCycleLR", "CyclicLR"):
            continue
        code = problem.code or ""
        inner = "    for batch in range(" in code and "        scheduler.step()" in code
        planted = problem.kind is Kind.DEBUG and "once per epoch" in problem.options[problem.answer]
        assert inner or planted, problem.id


def test_levels_follow_what_the_problem_involves(problems: list[Problem]) -> None:
    """A plain StepLR loop is for beginners; a resumed OneCycleLR or its momentum is not."""
    for problem in problems:
        code = problem.code or ""
        plain = not any(sign in code for sign in ("for batch", "checkpoint", "used", "head"))
        if problem.subject == ["StepLR"] and plain and problem.kind is Kind.PREDICT_OUTPUT:
            assert problem.level is Level.BEGINNER, problem.id
        if "checkpoint" in code and problem.subject[0] in ("SequentialLR", "OneCycleLR"):
            assert problem.level in (Level.ADVANCED, Level.EXPERT), problem.id
        if problem.subject == ["OneCycleLR"] and "['betas'][0]" in code:
            assert problem.level is Level.EXPERT, problem.id


def test_a_problem_costs_a_few_dozen_snippets(
    problems: list[Problem], session: SnippetSession
) -> None:
    """The thousand problems cost a few dozen snippets each, not hundreds."""
    assert session.snippets_run < 40 * len(problems)


# --- each trap is offered as torch computes it, with a why_not that names it ---------------


class Trap:
    """A mistake as a change to the snippet: what its why_not says, and the changed code."""

    def __init__(self, says: str, make: Callable[[Problem], str | None]) -> None:
        self.says = says
        self.make = make


def keyword(code: str, name: str) -> str | None:
    found = re.search(rf"\b{name}=([^,)\n]+)", code)
    return found.group(1) if found else None


def _with(name: str, new: Callable[[str], str]) -> Callable[[Problem], str | None]:
    def make(problem: Problem) -> str | None:
        code = problem.code or ""
        old = keyword(code, name)
        if old is None or problem.kind is Kind.DEBUG:
            return None
        return re.sub(rf"\b{name}={re.escape(old)}(?=[,)\n])", f"{name}={new(old)}", code)

    return make


def _times_gamma(problem: Problem) -> str | None:
    code = problem.code or ""
    gamma = keyword(code, "gamma")
    if gamma is None or "used" in code:
        return None
    return re.sub(r"(print\(f\"\{)([^:]+)(:\.\d+f\}\"\))", rf"\1\2 * {gamma}\3", code)


def _other_strategy(old: str) -> str:
    return "'linear'" if "cos" in old else "'cos'"


def _other_mode(old: str) -> str:
    return "'triangular'" if "triangular2" in old else "'triangular2'"


TRAPS = (
    Trap("That applies gamma once too often", _times_gamma),
    Trap("That reads T_max as a whole period", _with("T_max", lambda v: str(int(v) // 2))),
    Trap("That ignores power=", _with("power", lambda v: "1.0")),
    Trap("is the anneal_strategy=", _with("anneal_strategy", _other_strategy)),
    Trap("That is mode='triangular2'", _with("mode", _other_mode)),
    Trap("That keeps every cycle at full height", _with("mode", _other_mode)),
)


def test_traps_are_what_torch_prints_for_the_mistake(
    problems: list[Problem], torch_runs: dict[str, SnippetRun]
) -> None:
    """Each trap option is what the snippet prints with that mistake made, run on its own."""
    checked = Counter[str]()
    for problem in problems:
        for letter, why in problem.why_not.items():
            key = f"{problem.id}/{letter}"
            if key not in torch_runs:
                continue
            assert printed(torch_runs, key) == problem.options[letter], (key, why)
            checked[next(t.says for t in TRAPS if t.says in why)] += 1
    assert all(checked[trap.says] >= 3 for trap in TRAPS), checked


# --- without torch: a runner that fails ------------------------------------------------------


class BrokenTorch:
    """A snippet session whose every snippet fails, as if torch refused the scheduler."""

    async def run(self, snippets: Mapping[str, str]) -> dict[str, SnippetRun]:
        return {key: SnippetRun("", "ValueError: boom (line 1)", ()) for key in snippets}


@pytest.mark.asyncio(loop_scope="package")
async def test_a_setup_torch_refuses_is_a_generation_error() -> None:
    """Torch refusing every setup stops generation with a GenerationError naming it."""
    template = next(t for t in TEMPLATES if t.name == "ExponentialLR")
    with pytest.raises(GenerationError, match="torch refused a ExponentialLR setup"):
        await generate_problem(BrokenTorch(), random.Random(1), template, set())


# --- the command ----------------------------------------------------------------------------


def test_cli_plays_a_fresh_pack(packs: dict[int, Pack], anneal_cli: AnnealCli) -> None:
    """`anneal play --pack fresh --seed 3` generates the seed's pack and plays it through."""
    pack = packs[3]
    answers = "".join(f"{p.answer}\n" for p in pack.problems)
    done = anneal_cli(
        *("play", "--pack", "fresh", "--seed", "3", "--profile", "t"),
        input=answers,
        env={"DISCORD_TOKEN": ""},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Generating fresh problems with torch…" in done.stdout
    assert pack.problems[0].title in done.stdout
    assert "5/5 correct" in done.stdout
    assert "🌱 You earned the badge “Fresh Eyes”" in done.stdout
