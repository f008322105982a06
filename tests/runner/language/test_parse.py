"""The `!run` expression language: what it accepts and how it explains refusals."""

from __future__ import annotations

import pytest

from bot.runner.language import (
    parse_run,
    render_command,
    render_expression,
    render_snippet,
)
from bot.runner.spec import (
    SCHEDULER_NAMES,
    LambdaSpec,
    RunError,
    RunSpec,
    SchedulerSpec,
)


def _lambda(source: str) -> LambdaSpec:
    spec = parse_run(f"LambdaLR(lr_lambda={source})").scheduler.kwargs["lr_lambda"]
    assert isinstance(spec, LambdaSpec)
    return spec


S = SchedulerSpec

# One accepted input per scheduler class, with the SchedulerSpec it must give.
ACCEPTED: list[tuple[str, SchedulerSpec]] = [
    (
        "ChainedScheduler([ConstantLR(factor=0.5, total_iters=3), ExponentialLR(gamma=0.9)])",
        S(
            "ChainedScheduler",
            {
                "schedulers": [
                    S("ConstantLR", {"factor": 0.5, "total_iters": 3}),
                    S("ExponentialLR", {"gamma": 0.9}),
                ]
            },
        ),
    ),
    ("ConstantLR(factor=0.5, total_iters=4)", S("ConstantLR", {"factor": 0.5, "total_iters": 4})),
    (
        "CosineAnnealingLR(T_max=10, eta_min=0.001)",
        S("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}),
    ),
    (
        "CosineAnnealingWarmRestarts(T_0=5, T_mult=2, eta_min=0)",
        S("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0}),
    ),
    (
        "CyclicLR(base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=4, mode='exp_range',"
        " gamma=0.99, cycle_momentum=False, scale_fn=None)",
        S(
            "CyclicLR",
            {
                "base_lr": 0.01,
                "max_lr": [0.1, 0.2],
                "step_size_up": 4,
                "mode": "exp_range",
                "gamma": 0.99,
                "scale_fn": None,
                "cycle_momentum": False,
            },
        ),
    ),
    ("ExponentialLR(gamma=0.9)", S("ExponentialLR", {"gamma": 0.9})),
    (
        "LambdaLR(lr_lambda=lambda epoch: 0.95 ** epoch)",
        S("LambdaLR", {"lr_lambda": _lambda("lambda epoch: 0.95 ** epoch")}),
    ),
    (
        "LinearLR(start_factor=0.1, end_factor=1.0, total_iters=5)",
        S("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 5}),
    ),
    (
        "MultiStepLR(milestones=[3, 6], gamma=0.1)",
        S("MultiStepLR", {"milestones": [3, 6], "gamma": 0.1}),
    ),
    (
        "MultiplicativeLR(lr_lambda=[lambda e: 0.9, lambda e: 0.8]) lr=[0.1, 0.01]",
        S("MultiplicativeLR", {"lr_lambda": [_lambda("lambda e: 0.9"), _lambda("lambda e: 0.8")]}),
    ),
    (
        "OneCycleLR(max_lr=0.1, total_steps=10, anneal_strategy='linear', three_phase=True)",
        S(
            "OneCycleLR",
            {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "linear", "three_phase": True},
        ),
    ),
    ("PolynomialLR(total_iters=8, power=2.0)", S("PolynomialLR", {"total_iters": 8, "power": 2.0})),
    (
        "ReduceLROnPlateau(mode='max', factor=0.5, patience=1, min_lr=[0.001]) "
        "metrics=[0.5, 0.6, 0.6, 0.6]",
        S("ReduceLROnPlateau", {"mode": "max", "factor": 0.5, "patience": 1, "min_lr": [0.001]}),
    ),
    (
        "SequentialLR([LinearLR(start_factor=0.1, total_iters=5), CosineAnnealingLR(T_max=95)],"
        " milestones=[5])",
        S(
            "SequentialLR",
            {
                "schedulers": [
                    S("LinearLR", {"start_factor": 0.1, "total_iters": 5}),
                    S("CosineAnnealingLR", {"T_max": 95}),
                ],
                "milestones": [5],
            },
        ),
    ),
    ("StepLR(step_size=2, gamma=0.5)", S("StepLR", {"step_size": 2, "gamma": 0.5})),
    (
        "SWALR(swa_lr=[0.05, 0.01], anneal_epochs=3, anneal_strategy='linear')",
        S("SWALR", {"swa_lr": [0.05, 0.01], "anneal_epochs": 3, "anneal_strategy": "linear"}),
    ),
]


def test_every_scheduler_has_an_accepted_example() -> None:
    """The table above covers all 16 scheduler classes (lr_scheduler's 15 and SWALR)."""
    assert sorted(spec.name for _, spec in ACCEPTED) == sorted(SCHEDULER_NAMES)


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[s.name for _, s in ACCEPTED])
def test_accepted_expression_gives_expected_scheduler(text: str, expected: SchedulerSpec) -> None:
    """Each scheduler's example parses to exactly the expected SchedulerSpec."""
    assert parse_run(text).scheduler == expected


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[s.name for _, s in ACCEPTED])
def test_accepted_expression_round_trips_through_render(text: str, expected: SchedulerSpec) -> None:
    """render_expression gives text that parses back to the same scheduler."""
    spec = parse_run(text)
    assert parse_run(render_command(spec)) == spec
    metrics = " metrics=[1]" if expected.name == "ReduceLROnPlateau" else ""  # it needs them
    assert parse_run(render_expression(spec.scheduler) + metrics).scheduler == expected


def test_run_options_after_the_expression() -> None:
    """lr, steps and optimizer after the expression fill the RunSpec."""
    spec = parse_run("StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3 optimizer=Adam")
    assert spec == RunSpec(S("StepLR", {"step_size": 2, "gamma": 0.5}), (0.1,), 3, "Adam")


def test_defaults_when_no_options() -> None:
    """Without options a run has lr 0.1, 10 steps and SGD."""
    spec = parse_run("ExponentialLR(gamma=0.9)")
    assert (spec.lr, spec.steps, spec.optimizer, spec.metrics) == ((0.1,), 10, "SGD", None)


@pytest.mark.parametrize(
    "text",
    [
        "StepLR(step_size=2) lr=[0.1, 0.01], steps=3, optimizer='adamw'",
        'StepLR(step_size=2)   lr = [0.1,0.01]   steps = 3   optimizer = "AdamW"',
        "StepLR(step_size=2)\nlr=[0.1, 0.01]\nsteps=3\noptimizer=torch.optim.AdamW",
        "StepLR(step_size=2) optimizer=optim.AdamW steps=3 lr=(0.1, 0.01)",
    ],
)
def test_options_are_split_carefully(text: str) -> None:
    """Options may have brackets, commas, quotes, spaces around `=` and any order."""
    spec = parse_run(text)
    assert (spec.lr, spec.steps, spec.optimizer) == ((0.1, 0.01), 3, "AdamW")


@pytest.mark.parametrize(
    "text",
    [
        "```py\nStepLR(step_size=2, gamma=0.5) lr=0.1 steps=3\n```",
        "```python\nStepLR(step_size=2, gamma=0.5) lr=0.1 steps=3```",
        "```StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3```",
        "`StepLR(step_size=2, gamma=0.5)` lr=0.1 steps=3",
        "  StepLR(step_size=2,\n         gamma=0.5)  lr=0.1 steps=3  ",
    ],
)
def test_discord_code_blocks_are_tolerated(text: str) -> None:
    """Code fences, inline backticks and line breaks around the text are ignored."""
    spec = parse_run(text)
    assert spec == RunSpec(S("StepLR", {"step_size": 2, "gamma": 0.5}), (0.1,), 3)


@pytest.mark.parametrize(
    "text",
    [
        "optim.lr_scheduler.StepLR(step_size=2, gamma=0.5)",
        "torch.optim.lr_scheduler.StepLR(step_size=2, gamma=0.5)",
        "lr_scheduler.StepLR(step_size=2, gamma=0.5)",
        "StepLR(optimizer, step_size=2, gamma=0.5)",
        "StepLR(opt, 2, 0.5)",
        "StepLR(optimizer, 2, gamma=0.5)",
    ],
)
def test_prefixes_and_leading_optimizer_are_tolerated(text: str) -> None:
    """Module prefixes and a leading `optimizer` are accepted; positionals map in order."""
    assert parse_run(text).scheduler == S("StepLR", {"step_size": 2, "gamma": 0.5})


def test_typographic_quotes_are_straightened() -> None:
    """Phones type curly quotes; they are read as plain quotes."""
    spec = parse_run("ReduceLROnPlateau(mode=\u2018max\u2019) metrics=[1]")
    assert spec.scheduler.kwargs["mode"] == "max"


def test_chained_scheduler_accepts_optimizer_after_the_list() -> None:
    """ChainedScheduler's optional optimizer argument is accepted and dropped."""
    spec = parse_run("ChainedScheduler([ExponentialLR(gamma=0.9)], optimizer=optimizer)")
    assert spec.scheduler == S(
        "ChainedScheduler", {"schedulers": [S("ExponentialLR", {"gamma": 0.9})]}
    )


def test_integral_floats_are_accepted_as_ints() -> None:
    """`step_size=2.0` is a whole number and is stored as the int 2."""
    value = parse_run("StepLR(step_size=2.0)").scheduler.kwargs["step_size"]
    assert value == 2
    assert isinstance(value, int)


def test_negative_literals_are_numbers() -> None:
    """A signed literal like -1 is a plain number, not arithmetic."""
    spec = parse_run("StepLR(step_size=2, last_epoch=-1, gamma=+0.5)")
    assert spec.scheduler.kwargs == {"step_size": 2, "gamma": 0.5, "last_epoch": -1}


def test_values_torch_refuses_are_refused_before_running_naming_torchs_error() -> None:
    """step_size=0 is refused by the parser, with why and what torch itself would raise."""
    with pytest.raises(RunError) as refused:
        parse_run("StepLR(step_size=0)")
    assert str(refused.value) == (
        "StepLR: step_size=0 is refused before running: step_size is how many steps pass "
        "between decays, so it must be at least 1 (torch itself would stop with "
        "ZeroDivisionError)."
    )


# --- ReduceLROnPlateau and metrics ------------------------------------------------------------


def test_metrics_without_steps_set_the_number_of_steps() -> None:
    """Without steps=, a plateau run has one step per metric."""
    spec = parse_run("ReduceLROnPlateau(patience=1) metrics=[1, 0.9, 0.9]")
    assert (spec.steps, spec.metrics) == (3, (1.0, 0.9, 0.9))


def test_short_metrics_repeat_their_last_value() -> None:
    """Fewer metrics than steps: the last value repeats (a plateau)."""
    spec = parse_run("ReduceLROnPlateau() metrics=[1, 0.5] steps=5")
    assert spec.metrics == (1.0, 0.5, 0.5, 0.5, 0.5)


def test_more_metrics_than_steps_is_refused() -> None:
    """More metrics than steps is refused rather than silently cut."""
    with pytest.raises(RunError, match="at most one value per step"):
        parse_run("ReduceLROnPlateau() metrics=[1, 2, 3] steps=2")


def test_plateau_without_metrics_is_refused() -> None:
    """ReduceLROnPlateau needs metrics, and the message shows how to give them."""
    with pytest.raises(RunError, match=r"metrics=\["):
        parse_run("ReduceLROnPlateau(patience=2)")


@pytest.mark.parametrize(
    "text",
    [
        "ReduceLROnPlateau(patience=1) metrics=[1, 0.9, 0.9]",
        "ReduceLROnPlateau(patience=1, metrics=[1, 0.9, 0.9])",  # where people put them
        "ReduceLROnPlateau(metrics=[1, 0.9, 0.9], patience=1)",
        "torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, metrics=[1, 0.9, 0.9], patience=1)",
    ],
)
def test_metrics_are_read_after_the_call_or_inside_it(text: str) -> None:
    """`metrics=` inside ReduceLROnPlateau(...) means the same as after it."""
    spec = parse_run(text)
    assert spec.scheduler == SchedulerSpec("ReduceLROnPlateau", {"patience": 1})
    assert (spec.steps, spec.metrics) == (3, (1.0, 0.9, 0.9))


def test_metrics_inside_and_after_the_call_are_refused() -> None:
    """Metrics given in both places are refused, saying so."""
    with pytest.raises(RunError, match="inside ReduceLROnPlateau"):
        parse_run("ReduceLROnPlateau(metrics=[1, 2]) metrics=[1]")


def test_metrics_for_other_schedulers_are_refused() -> None:
    """metrics= with a scheduler that doesn't use them is refused."""
    with pytest.raises(RunError, match="only used by ReduceLROnPlateau"):
        parse_run("StepLR(step_size=2) metrics=[1, 2]")


# --- refusals with helpful messages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("StepLr(step_size=2)", "Did you mean `StepLR`"),
        ("CosineAnealingLR(T_max=5)", "Did you mean `CosineAnnealingLR`"),
        ("StepLR(step_sise=2)", "Did you mean `step_size`"),
        ("StepLR(step_size=2) stpes=3", "Did you mean `steps`"),
        ("StepLR(step_size=2) gamma=0.3", "put it inside the parentheses"),
        ("StepLR(gamma=0.5)", "StepLR needs step_size, e.g. `StepLR(step_size=2, gamma=0.5)`"),
        ("StepLR", "Give StepLR its arguments"),
        ("StepLR(step_size=2.5)", "must be a whole number"),
        ("StepLR(step_size=-3)", "from 0 to 1,000,000"),
        ("ExponentialLR(gamma=5e6)", "between -1,000,000 and 1,000,000"),
        ("ReduceLROnPlateau(mode='minimum') metrics=[1]", "Did you mean `min`"),
        ("ReduceLROnPlateau(mode=max) metrics=[1]", "put the text in quotes"),
        ("OneCycleLR(max_lr=0.1, total_steps=10, three_phase=1)", "True or False"),
        ("StepLR(step_size=2) optimizer=Adagrad", "pick one of SGD, Adam, AdamW, RMSprop"),
        ("StepLR(step_size=2) optimizer=adm", "Did you mean `Adam`"),
        ("StepLR(step_size=2) lr=-0.1", "a learning rate can't be negative"),
        ("StepLR(step_size=2) lr=[]", "1 to 8 items"),
        ("StepLR(step_size=2) steps=", "needs a value"),
        ("StepLR(step_size=2) steps=0", "from 1 to 10,000"),
        ("StepLR(step_size=2) steps=20000", "from 1 to 10,000"),
        ("StepLR(optimizer, 2, 0.5, -1, 7)", "at most 3 arguments"),
        ("SequentialLR([], milestones=[])", "1 to 10 items"),
        ("SequentialLR([StepLR], milestones=[])", "Give StepLR its arguments"),
        ("lr=0.1 steps=3", "Start with a scheduler"),
        ("lambda epoch: 0.9 ** epoch", "wrap it"),
        (
            "ChainedScheduler(optimizer, [StepLR(step_size=2)])",
            "takes the list of schedulers first",
        ),
        ("LambdaLR(lr_lambda=0.5)", "must be a lambda"),
        ("StepLR(step_size=2) StepLR(step_size=3)", "valid Python"),
    ],
)
def test_refusals_explain_themselves(text: str, message: str) -> None:
    """Mistakes get a message naming the problem (and often the fix)."""
    with pytest.raises(RunError, match=_escaped(message)):
        parse_run(text)


def _escaped(message: str) -> str:
    import re

    return re.escape(message)


def test_nesting_depth_and_count_are_limited() -> None:
    """Schedulers nest at most two levels and at most 10 per expression."""
    deep = "SequentialLR([SequentialLR([SequentialLR([StepLR(step_size=1)], milestones=[])],"
    deep += " milestones=[])], milestones=[])"
    with pytest.raises(RunError, match="nested at most"):
        parse_run(deep)
    many = "ChainedScheduler([" + ", ".join(["StepLR(step_size=1)"] * 11) + "])"
    with pytest.raises(RunError, match="1 to 10 items"):
        parse_run(many)


def test_messages_never_echo_backticks_from_user_text() -> None:
    """User text quoted back in a message can't close the inline code and inject markdown."""
    with pytest.raises(RunError) as info:
        parse_run("StepLR(step_size=2, gamma='x``@everyone')")
    assert "``@" not in str(info.value)


def test_render_snippet_parses_back_to_the_same_spec() -> None:
    """The shown code, read as a snippet, is the same run."""
    for text, _ in ACCEPTED:
        spec = parse_run(text)
        assert parse_run(render_snippet(spec)) == spec, text
