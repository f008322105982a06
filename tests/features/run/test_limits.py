"""`!run`'s limits with a fake clock, the variant hint, and telling problem ids from runs."""

from __future__ import annotations

import pytest

from bot.content import ContentLibrary, load_library
from bot.engine.problems import Problem, RunRecipe
from bot.features.run.cog import variant_hint
from bot.features.run.limits import Cooldown, LimitReached, RateLimit, RunLimits, seconds
from bot.features.run.request import ProblemRun, resolve, split_assignments, split_request
from bot.runner.spec import RunError
from bot.settings import SHIPPED_CONTENT_DIR

ALICE, BOB = 1, 2
GUILD, OTHER_GUILD = 100, 200


class FakeClock:
    """Seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """A clock at t=1000 s."""
    return FakeClock()


@pytest.fixture
def limits(clock: FakeClock) -> RunLimits:
    """The defaults: 10 s per user, 20 runs per guild per minute."""
    return RunLimits(clock)


@pytest.fixture(scope="module")
def library() -> ContentLibrary:
    """The shipped content."""
    return load_library(SHIPPED_CONTENT_DIR)


# --- Cooldown and RateLimit ------------------------------------------------------------------


def test_cooldown_counts_down_from_the_last_run(clock: FakeClock) -> None:
    """After a run, the same key waits `per` seconds; other keys don't."""
    cooldown = Cooldown(10.0, clock)
    assert cooldown.retry_after(ALICE) == 0
    cooldown.record(ALICE)
    clock.now += 4
    assert cooldown.retry_after(ALICE) == pytest.approx(6.0)
    assert cooldown.retry_after(BOB) == 0
    clock.now += 6
    assert cooldown.retry_after(ALICE) == 0


def test_cooldown_forgets_expired_users(clock: FakeClock) -> None:
    """Recording a run drops users whose cooldown is over, so memory stays bounded."""
    cooldown = Cooldown(10.0, clock)
    for user in range(100):
        cooldown.record(user)
    clock.now += 11
    cooldown.record(ALICE)
    assert len(cooldown._last) == 1


def test_cooldown_forget_undoes_only_its_own_run(clock: FakeClock) -> None:
    """forget() clears the stamp it was given, not a later run's."""
    cooldown = Cooldown(10.0, clock)
    first = cooldown.record(ALICE)
    cooldown.forget(ALICE, first)
    assert cooldown.retry_after(ALICE) == 0
    old = cooldown.record(ALICE)
    clock.now += 11
    cooldown.record(ALICE)
    cooldown.forget(ALICE, old)
    assert cooldown.retry_after(ALICE) == pytest.approx(10.0)


def test_rate_limit_allows_limit_runs_per_window(clock: FakeClock) -> None:
    """The 4th run in a 60 s window of 3 waits until the 1st leaves the window."""
    rate = RateLimit(3, 60.0, clock)
    for _ in range(3):
        assert rate.retry_after(GUILD) == 0
        rate.record(GUILD)
        clock.now += 5
    assert rate.retry_after(GUILD) == pytest.approx(45.0)  # first run at t, now t+15
    assert rate.retry_after(OTHER_GUILD) == 0
    clock.now += 45
    assert rate.retry_after(GUILD) == 0


def test_rate_limit_drops_quiet_guilds(clock: FakeClock) -> None:
    """A guild whose runs all left the window keeps no entry."""
    rate = RateLimit(3, 60.0, clock)
    rate.record(GUILD)
    clock.now += 61
    assert rate.retry_after(GUILD) == 0
    assert GUILD not in rate._runs


def test_bad_limits_are_refused(clock: FakeClock) -> None:
    """A zero rate or a negative cooldown is a configuration error."""
    with pytest.raises(ValueError, match="limit"):
        RateLimit(0, 60.0, clock)
    with pytest.raises(ValueError, match="per"):
        Cooldown(-1.0, clock)


@pytest.mark.parametrize(("delay", "shown"), [(0.01, "1 s"), (6.2, "7 s"), (7.0, "7 s")])
def test_waits_are_rounded_up(delay: float, shown: str) -> None:
    """ "try again in 0 s" never happens: waits round up to whole seconds."""
    assert seconds(delay) == shown


# --- RunLimits: the order a user meets them ------------------------------------------------------


def test_a_second_run_while_the_first_is_going_is_refused(
    limits: RunLimits, clock: FakeClock
) -> None:
    """One job per user: while it runs, the next is refused even after the cooldown."""
    with limits.admit(ALICE, GUILD):
        clock.now += 60
        with pytest.raises(LimitReached, match="previous run is still going"):
            limits.admit(ALICE, GUILD)
        limits.admit(BOB, GUILD).release()  # someone else may run meanwhile
    limits.admit(ALICE, GUILD).release()


def test_a_run_that_fails_still_frees_the_user(limits: RunLimits, clock: FakeClock) -> None:
    """Leaving the `with` block by an exception releases the user."""
    with pytest.raises(RuntimeError), limits.admit(ALICE, GUILD):
        raise RuntimeError("the runner crashed")
    assert ALICE not in limits.running


def test_cooldown_message_says_when_to_retry(limits: RunLimits, clock: FakeClock) -> None:
    """A run 3 s after the last one is refused with "try again in 7 s"."""
    limits.admit(ALICE, GUILD).release()
    clock.now += 3
    with pytest.raises(LimitReached, match="try again in 7 s") as refused:
        limits.admit(ALICE, GUILD)
    assert refused.value.retry_after == pytest.approx(7.0)
    assert "One run every 10 s" in str(refused.value)
    clock.now += 7
    limits.admit(ALICE, GUILD).release()


def test_guild_rate_message_says_when_to_retry(clock: FakeClock) -> None:
    """The guild's 21st run in a minute is refused with the seconds left; other guilds run."""
    limits = RunLimits(clock, user_cooldown=0.0)
    for user in range(20):
        limits.admit(user, GUILD).release()
        clock.now += 1
    with pytest.raises(LimitReached, match=r"20 runs in the last 60 s.*try again in 40 s"):
        limits.admit(ALICE + 1000, GUILD)
    limits.admit(ALICE + 1000, OTHER_GUILD).release()
    clock.now += 40
    limits.admit(ALICE + 1000, GUILD).release()


def test_direct_messages_have_no_guild_limit(clock: FakeClock) -> None:
    """In DMs (guild None) only the per-user limits apply."""
    limits = RunLimits(clock, user_cooldown=0.0, guild_runs=1)
    for user in range(5):
        limits.admit(user, None).release()


def test_a_refusal_does_not_extend_the_wait(limits: RunLimits, clock: FakeClock) -> None:
    """Asking again during the cooldown doesn't restart it."""
    limits.admit(ALICE, GUILD).release()
    clock.now += 5
    with pytest.raises(LimitReached):
        limits.admit(ALICE, GUILD)
    clock.now += 5
    limits.admit(ALICE, GUILD).release()


def test_refund_gives_back_the_cooldown_and_the_guild_slot(clock: FakeClock) -> None:
    """A run the busy runner never took costs neither the user's cooldown nor a guild slot."""
    limits = RunLimits(clock, guild_runs=1)
    with limits.admit(ALICE, GUILD) as admission:
        admission.refund()
    limits.admit(ALICE, GUILD).release()


# --- variant_hint ------------------------------------------------------------------------------


def test_variant_hint_for_steplr_three_epochs(library: ContentLibrary) -> None:
    """The hint changes gamma (a rate-like value) and lists what may change."""
    found = library.find_problem("steplr-three-epochs")
    assert found is not None
    problem = found[1]
    assert problem.run is not None
    listed = ", ".join(problem.run.vary)
    assert variant_hint(problem, "!") == (
        f"Try variants: `!run steplr-three-epochs gamma=0.3` (you can change: {listed})"
    )
    assert variant_hint(problem, "?").startswith("Try variants: `?run steplr-three-epochs")


def test_variant_hint_is_none_without_a_recipe(library: ContentLibrary) -> None:
    """A problem with no run recipe gets no hint."""
    problem = next(p for _, p in library.problems() if p.run is None)
    assert variant_hint(problem, "!") is None


def recipe_problem(library: ContentLibrary, **recipe: object) -> Problem:
    """A shipped problem with its recipe replaced."""
    problem = next(p for _, p in library.problems() if p.run is not None)
    return problem.model_copy(update={"run": RunRecipe.model_validate(recipe)})


def test_variant_hint_with_nothing_to_vary_says_try_it(library: ContentLibrary) -> None:
    """A recipe with an empty vary list is offered as it is."""
    problem = recipe_problem(library, expression="StepLR(step_size=2, gamma=0.5)")
    assert variant_hint(problem, "!") == f"Try it: `!run {problem.id}`"


@pytest.mark.parametrize(
    ("recipe", "change"),
    [
        ({"expression": "StepLR(step_size=2, gamma=0.5)", "vary": ["step_size"]}, "step_size=4"),
        ({"expression": "LinearLR(end_factor=1.0)", "vary": ["end_factor"]}, "end_factor=0.5"),
        (
            {
                "expression": "OneCycleLR(max_lr=1, div_factor=25.0, total_steps=10)",
                "vary": ["div_factor"],
                "steps": 10,
            },
            "div_factor=50.0",
        ),
        ({"expression": "StepLR(step_size=2)", "steps": 8000, "vary": ["steps"]}, "steps=4000"),
    ],
)
def test_variant_hint_changes_values_within_their_range(
    library: ContentLibrary, recipe: dict[str, object], change: str
) -> None:
    """Counts double (steps stay within 10,000), fractions stay in (0, 1], big floats double."""
    hint = variant_hint(recipe_problem(library, **recipe), "!")
    assert hint is not None
    assert f" {change}`" in hint


def test_variant_hint_without_a_numeric_value_shows_the_plain_command(
    library: ContentLibrary,
) -> None:
    """Only lists or lambdas to vary: the hint names the problem without a change."""
    problem = recipe_problem(
        library, expression="MultiStepLR(milestones=[2, 4])", vary=["milestones"]
    )
    assert variant_hint(problem, "!") == (
        f"Try variants: `!run {problem.id}` (you can change: milestones)"
    )


def test_every_shipped_hint_is_a_change_the_recipe_accepts(library: ContentLibrary) -> None:
    """Each hint's example changes one allowed value and parses like a user's `!run`."""
    for _, problem in library.problems():
        hint = variant_hint(problem, "!")
        if problem.run is None:
            assert hint is None
            continue
        assert hint is not None
        command = hint.split("`")[1]
        request = resolve(command.removeprefix("!run "), library, "!run")  # raises if refused
        assert request.problem == problem
        assert len(request.overrides) == 1, hint
        assert set(request.overrides) <= set(problem.run.vary), hint


# --- splitting: a problem id, or a run of one's own --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3",
        "```py\nimport torch\nscheduler = StepLR(optimizer, step_size=2)\n```",
        "import torch\nfrom torch.optim.lr_scheduler import StepLR",
        "__import__('os').system('id')",
        "lr=0.1 steps=3",
        "",
        "   ",
    ],
)
def test_runs_of_ones_own_are_not_problem_ids(text: str) -> None:
    """Expressions, snippets (fenced or not) and text not starting with an id go to the parser."""
    assert split_request(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steplr-three-epochs", ProblemRun("steplr-three-epochs", {})),
        ("steplr-three-epochs gamma=0.3", ProblemRun("steplr-three-epochs", {"gamma": "0.3"})),
        (
            "  steplr-three-epochs\n gamma = 0.3  steps=20 ",
            ProblemRun("steplr-three-epochs", {"gamma": "0.3", "steps": "20"}),
        ),
        ("steplr gamma=0.3", ProblemRun("steplr", {"gamma": "0.3"})),
        (
            "multi-step milestones=[2, 4], gamma=0.1",
            ProblemRun("multi-step", {"milestones": "[2, 4]", "gamma": "0.1"}),
        ),
        (
            "lambda-warmup lr_lambda=lambda e: min(1.0, e / 4) lr=0.2",
            ProblemRun("lambda-warmup", {"lr_lambda": "lambda e: min(1.0, e / 4)", "lr": "0.2"}),
        ),
        (
            "cyclic mode='exp_range' gamma=0.9",
            ProblemRun("cyclic", {"mode": "'exp_range'", "gamma": "0.9"}),
        ),
    ],
)
def test_problem_ids_and_their_changes_are_split(text: str, expected: ProblemRun) -> None:
    """An id, then `name=value` pairs whose values may hold spaces, brackets and lambdas."""
    assert split_request(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("steplr-three-epochs gamma", "name=value"),
        ("steplr-three-epochs 0.3", "name=value"),
        ("steplr-three-epochs gamma=0.3 gamma=0.4", "given twice"),
        ("steplr-three-epochs gamma=", "needs a value"),
        ("steplr-three-epochs gamma=(0.3", "name=value"),
    ],
)
def test_unreadable_changes_after_an_id_are_explained(text: str, message: str) -> None:
    """A hyphenated id with changes that aren't `name=value` pairs gets a RunError saying how."""
    with pytest.raises(RunError, match=message):
        split_request(text)


def test_a_single_word_with_unreadable_changes_is_left_to_the_parser() -> None:
    """`import torch ...` or `scheduler gamma` may be a snippet: the parser explains, not us."""
    assert split_request("scheduler gamma 0.3") is None


def test_split_assignments_equal_signs_inside_brackets_stay_in_the_value() -> None:
    """Only a top-level `name=` starts a new pair."""
    assert split_assignments("schedulers=[StepLR(step_size=2), ConstantLR(factor=0.5)] x=1") == {
        "schedulers": "[StepLR(step_size=2), ConstantLR(factor=0.5)]",
        "x": "1",
    }
