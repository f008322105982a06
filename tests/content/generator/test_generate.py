"""Generated problems: each key checked by torch run on its own, each trap really offered.

The suite's warm worker (`shared_runner`) serves the module's packs, built once. The
generator computes its numbers with that worker; the checks here never reuse them: every
snippet, and every variant of a snippet that a trap stands for, runs again with real
torch in a separate process through `run_snippets`, as `anneal content check` does.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest
import pytest_asyncio

from bot.content.check import SnippetRun, run_snippets
from bot.content.generator import FRESH_PACK_ID, GenerationError, generate_pack, generate_problem
from bot.content.generator.templates.exponential_lr import ExponentialLRTemplate
from bot.engine.problems import LETTERS, BadgeRule, Kind, Pack, Problem
from bot.runner import RunnerPool, RunResult, RunSpec, parse_run
from tests.conftest import AnnealCli

SEEDS = (11, 12, 13, 14)
PER_PACK = 10  # one problem per scheduler in each pack: 40 problems, four of each
SCHEDULERS = {
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "LinearLR",
    "ConstantLR",
    "PolynomialLR",
    "OneCycleLR",
    "CyclicLR",
}
PRINT = 'print(round(optimizer.param_groups[0]["lr"], 6))'

# --- fixtures: one pool, the packs, and torch's own output for every snippet --------------


@pytest.fixture(scope="module")
def pool(shared_runner: RunnerPool) -> RunnerPool:
    """The suite's warm torch worker."""
    return shared_runner


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def packs(pool: RunnerPool) -> dict[int, Pack]:
    """A pack of ten for each seed."""
    return {seed: await generate_pack(pool, random.Random(seed), PER_PACK) for seed in SEEDS}


@pytest.fixture(scope="module")
def problems(packs: dict[int, Pack]) -> list[Problem]:
    return [problem for pack in packs.values() for problem in pack.problems]


def keyword(problem: Problem, name: str) -> str:
    """A keyword's literal as the snippet writes it, e.g. `0.5` for gamma."""
    assert problem.code is not None
    found = re.search(rf"\b{name}=([^,)\n]+)", problem.code)
    assert found, f"{problem.id}: no {name}= in the snippet"
    return found.group(1)


def optimizer_lr(problem: Problem) -> str:
    """The optimizer's lr as a rate is printed: the "initial lr itself" distractor."""
    assert problem.code is not None
    found = re.search(r"SGD\(params, lr=([0-9.]+)", problem.code)
    assert found
    return str(round(float(found.group(1)), 6))


def times_gamma(problem: Problem) -> str:
    assert problem.code is not None
    gamma = keyword(problem, "gamma")
    return problem.code.replace(PRINT, PRINT.replace('["lr"]', f'["lr"] * {gamma}'))


def t_max_halved(problem: Problem) -> str:
    assert problem.code is not None
    t_max = int(keyword(problem, "T_max"))
    return problem.code.replace(f"T_max={t_max},", f"T_max={t_max // 2},")


def t0_tmult_swapped(problem: Problem) -> str:
    assert problem.code is not None
    t_0, t_mult = keyword(problem, "T_0"), keyword(problem, "T_mult")
    return (
        problem.code.replace(f"T_0={t_0},", "T_0=@,")
        .replace(f"T_mult={t_mult},", f"T_mult={t_0},")
        .replace("T_0=@,", f"T_0={t_mult},")
    )


def power_one(problem: Problem) -> str:
    assert problem.code is not None
    return problem.code.replace(f"power={keyword(problem, 'power')}", "power=1.0")


def one_call_short(problem: Problem) -> str:
    assert problem.code is not None
    assert problem.run is not None
    n = problem.run.steps
    return problem.code.replace(f"range({n})", f"range({n - 1})")


# Each trap as torch shows it: the snippet changed the way the mistaken learner reads it.
VARIANTS: dict[str, tuple[set[str], Callable[[Problem], str]]] = {
    "gamma": ({"StepLR", "MultiStepLR"}, times_gamma),
    "half": ({"CosineAnnealingLR"}, t_max_halved),
    "swap": ({"CosineAnnealingWarmRestarts"}, t0_tmult_swapped),
    "power": ({"PolynomialLR"}, power_one),
    "short": ({"ExponentialLR"}, one_call_short),
}


@pytest.fixture(scope="module")
def torch_runs(problems: list[Problem]) -> dict[str, SnippetRun]:
    """Every snippet and every trap variant, run by real torch in one separate process."""
    snippets: dict[str, str] = {}
    for problem in problems:
        assert problem.code is not None
        snippets[problem.id] = problem.code
        for tag, (names, make) in VARIANTS.items():
            if problem.schedulers[0] in names:
                snippets[f"{problem.id}/{tag}"] = make(problem)
    _, runs = run_snippets(snippets)
    return runs


def printed(runs: dict[str, SnippetRun], key: str) -> str:
    run = runs[key]
    assert run.error is None, f"{key}: {run.error}"
    return run.stdout.strip()


# --- the contract: torch prints the key and nothing else ----------------------------------


@pytest.mark.torch
def test_every_key_is_what_torch_prints(
    problems: list[Problem], torch_runs: dict[str, SnippetRun]
) -> None:
    """Each snippet, run by torch on its own, prints the answer's text and no other option's."""
    assert len(problems) == len(SEEDS) * PER_PACK
    for problem in problems:
        out = printed(torch_runs, problem.id)
        matching = [letter for letter, text in problem.options.items() if text == out]
        assert matching == [problem.answer], f"{problem.id}: torch printed {out!r}"


@pytest.mark.torch
def test_options_are_four_different_numbers(problems: list[Problem]) -> None:
    """Four options, each a plain decimal, no two the same number after rounding."""
    for problem in problems:
        texts = list(problem.options.values())
        assert problem.letters == LETTERS
        assert all(re.fullmatch(r"\d+\.\d+", text) for text in texts), texts
        assert len({float(text) for text in texts}) == len(LETTERS), texts


@pytest.mark.torch
def test_packs_are_valid_and_cover_every_scheduler(
    packs: dict[int, Pack], problems: list[Problem]
) -> None:
    """Each pack passes the schema again; ids are unique; all ten schedulers are generated."""
    for pack in packs.values():
        assert Pack.model_validate(pack.model_dump()) == pack
        assert pack.id == FRESH_PACK_ID
        assert pack.badge.rule is BadgeRule.ALL_CORRECT
        assert len(pack.problems) == PER_PACK
    for problem in problems:
        assert problem.kind is Kind.PREDICT_OUTPUT
        assert problem.id.startswith(f"fresh-{problem.schedulers[0].lower()}-")
        assert (problem.time_limit, problem.attempts) == (120, 2)
        assert set(problem.why_not) == set(LETTERS) - {problem.answer}
    assert {p.schedulers[0] for p in problems} == SCHEDULERS
    assert len({p.answer for p in problems}) == len(LETTERS)


@pytest.mark.torch
def test_the_snippet_is_its_run_recipe(problems: list[Problem]) -> None:
    """`!run` reads the snippet as exactly the run the recipe describes, `vary` included."""
    for problem in problems:
        assert problem.code is not None
        assert problem.run is not None
        recipe = problem.run
        from_code = parse_run(problem.code)
        from_recipe = parse_run(f"{recipe.expression} lr={recipe.lr} steps={recipe.steps}")
        assert from_code == from_recipe, problem.id
        assert set(recipe.vary) == {*from_code.scheduler.kwargs, "steps"}
        assert f"runs {'once' if recipe.steps == 1 else f'{recipe.steps} times'}" in problem.prompt


@pytest.mark.torch
@pytest.mark.asyncio(loop_scope="module")
async def test_same_seed_same_pack_other_seed_other_pack(
    pool: RunnerPool, packs: dict[int, Pack]
) -> None:
    """A seed reproduces its pack exactly; another seed gives other problems."""
    again = await generate_pack(pool, random.Random(SEEDS[0]), PER_PACK)
    assert again == packs[SEEDS[0]]
    first, second = ({p.id for p in packs[s].problems} for s in SEEDS[:2])
    assert not first & second


# --- each trap is offered, with a why_not that names it -----------------------------------


def offered(problem: Problem, text: str, says: str) -> bool:
    """Whether `text` is a wrong option whose why_not contains `says`; False if it is the key.

    A trap is left out only where it collides with the right answer, or would print in
    scientific notation: the generator's documented exceptions.
    """
    right = problem.options[problem.answer]
    if text == right or "e" in text:
        return False
    letter = next((x for x, t in problem.options.items() if t == text), None)
    assert letter is not None, f"{problem.id}: {text} is not offered ({says})"
    assert says in problem.why_not[letter], problem.why_not[letter]
    return True


def check_trap(problems: list[Problem], runs: dict[str, SnippetRun], tag: str, says: str) -> None:
    names, _ = VARIANTS[tag]
    chosen = [p for p in problems if p.schedulers[0] in names]
    hits = sum(offered(p, printed(runs, f"{p.id}/{tag}"), says) for p in chosen)
    assert hits >= 2, f"the {tag} trap was tested only {hits} time(s)"


@pytest.mark.torch
def test_step_schedulers_offer_gamma_once_too_often(
    problems: list[Problem], torch_runs: dict[str, SnippetRun]
) -> None:
    """StepLR and MultiStepLR: the right rate times gamma is an option, named as a cut too many."""
    check_trap(problems, torch_runs, "gamma", "gamma once too often")


@pytest.mark.torch
def test_cosine_offers_t_max_read_as_a_full_period(
    problems: list[Problem], torch_runs: dict[str, SnippetRun]
) -> None:
    """CosineAnnealingLR: the rate with T_max halved is an option."""
    check_trap(problems, torch_runs, "half", "T_max as a whole period")


@pytest.mark.torch
def test_warm_restarts_offer_t0_and_tmult_swapped(
    problems: list[Problem], torch_runs: dict[str, SnippetRun]
) -> None:
    """CosineAnnealingWarmRestarts: the rate with T_0 and T_mult swapped is an option."""
    check_trap(problems, torch_runs, "swap", "swaps T_0 and T_mult")


@pytest.mark.torch
def test_polynomial_offers_power_ignored(
    problems: list[Problem], torch_runs: dict[str, SnippetRun]
) -> None:
    """PolynomialLR: the straight line of power=1.0 is an option."""
    check_trap(problems, torch_runs, "power", "ignores power")


@pytest.mark.torch
def test_exponential_offers_the_first_call_forgotten(
    problems: list[Problem], torch_runs: dict[str, SnippetRun]
) -> None:
    """ExponentialLR: the rate after N-1 calls is an option, named as the first call forgotten."""
    check_trap(problems, torch_runs, "short", "forgets that the first scheduler.step()")


@pytest.mark.torch
def test_warm_ups_and_cycles_offer_the_optimizers_lr(problems: list[Problem]) -> None:
    """LinearLR/ConstantLR (warm-up ignored) and OneCycleLR/CyclicLR (lr overwritten)."""
    says = {
        "LinearLR": "ignores the warm-up",
        "ConstantLR": "ignores the warm-up",
        "OneCycleLR": "overwrites",
        "CyclicLR": "overwrites",
    }
    hits = sum(
        offered(p, optimizer_lr(p), says[p.schedulers[0]])
        for p in problems
        if p.schedulers[0] in says
    )
    assert hits >= 8


# --- without torch: the fallbacks, and a runner that fails ---------------------------------


class FlatRunner:
    """A fake runner whose rate stays at lr for the calls around N and then falls away.

    Every named mistake (N-1, N+1, one call, the starting lr) then collides with the right
    answer, so the options must come from other calls of the run, nearest first.
    """

    def __init__(self, error: str | None = None) -> None:
        self.error = error

    async def run(self, spec: RunSpec) -> RunResult:
        n = (spec.steps - 2) // 2  # the generator asks for 2N + 2 calls
        lr = spec.lr[0]
        rates = tuple(
            lr if abs(k - n) <= 1 or k <= 1 else lr / (k + 1) for k in range(1, spec.steps + 1)
        )
        return RunResult(groups=(rates,), initial=spec.lr, error=self.error)


async def test_collisions_fall_back_to_other_calls_of_the_run() -> None:
    """When every named mistake equals the answer, the nearest other calls fill the options."""
    problem = await generate_problem(FlatRunner(), random.Random(5), ExponentialLRTemplate(), set())
    assert problem.run is not None
    n = problem.run.steps
    wrong = sorted(problem.why_not.values())
    assert len(wrong) == 3
    nearest = sorted(range(2 * n + 3), key=lambda k: (abs(k - n), k))
    expected = [k for k in nearest if abs(k - n) > 1 and k > 1][:3]
    for k in expected:
        assert any(f"after {k} calls; the loop calls" in why for why in wrong), (k, wrong)


async def test_a_run_torch_refuses_is_a_generation_error() -> None:
    """An error from the runner stops generation with a GenerationError naming it."""
    with pytest.raises(GenerationError, match="torch refused ExponentialLR"):
        await generate_problem(
            FlatRunner(error="boom"), random.Random(1), ExponentialLRTemplate(), set()
        )


# --- the command ----------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def seed_3(pool: RunnerPool) -> Pack:
    """What `anneal play --pack fresh --seed 3` generates: five problems from Random(3)."""
    return await generate_pack(pool, random.Random(3))


@pytest.mark.torch
def test_cli_plays_a_fresh_pack(seed_3: Pack, anneal_cli: AnnealCli) -> None:
    """`anneal play --pack fresh --seed 3` generates the seed's pack and plays it through."""
    pack = seed_3
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
