"""`!run` against hostile and random input: only ever a RunSpec or a RunError, no side effects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.runner.language import parse_run, render_command, with_overrides
from bot.runner.spec import RunError, RunSpec
from tests.runner.language.hostile_inputs import HOSTILE, SEED

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("text", "words"), HOSTILE, ids=[f"h{i}" for i in range(len(HOSTILE))])
def test_hostile_input_is_refused_with_a_clear_message(
    text: str, words: str, tmp_path: Path
) -> None:
    """Each hostile input raises RunError explaining why, and touches nothing.

    (How fast is not asserted here: a loaded machine made an 11 ms parse take 1 s of wall
    clock. The length cap before parsing is what bounds the work.)
    """
    canary = tmp_path / "canary"
    text = text.replace("{canary}", str(canary))
    parse_run("StepLR(step_size=2) lr=0.1")  # import anything lazily imported, first
    modules = set(sys.modules)
    with pytest.raises(RunError) as info:
        parse_run(text)
    assert words.lower() in str(info.value).lower()
    assert len(str(info.value)) < 1000  # fits in a Discord message with room to spare
    assert not canary.exists()
    assert set(sys.modules) == modules


def test_hostile_corpus_is_not_empty_and_has_the_named_escapes() -> None:
    """The corpus includes the escapes NOTES.md lists (so trimming it fails this test)."""
    texts = " ".join(text for text, _ in HOSTILE)
    for escape in ("__class__", "'{0.__class__}'.format", "f=print", "f(f)", ":=", "9**9**9"):
        assert escape in texts


def test_language_module_does_not_import_torch() -> None:
    """The bot process parses, renders and compiles lambdas without importing torch."""
    code = (
        "import sys\n"
        "from bot.runner.language import parse_run, render_snippet\n"
        "from bot.runner.lambdas import compile_lambda\n"
        "spec = parse_run('LambdaLR(lr_lambda=lambda e: 0.9 ** e)')\n"
        "render_snippet(spec)\n"
        "compile_lambda(spec.scheduler.kwargs['lr_lambda'])(3)\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_language_source_never_evaluates() -> None:
    """No eval/exec/compile/getattr/__import__ appear in the parsing modules' code."""
    import ast

    runner = ROOT / "bot" / "runner"
    for path in [runner / "lambdas.py", *sorted((runner / "language").glob("*.py"))]:
        name = path.name
        tree = ast.parse(path.read_text())
        called = {
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert not called & {"eval", "exec", "compile", "getattr", "__import__", "setattr"}, name


def _parse_or_error(text: str) -> RunSpec | RunError:
    try:
        return parse_run(text)
    except RunError as exc:
        return exc


def _only_spec_or_run_error(text: str) -> None:
    result = _parse_or_error(text)
    if isinstance(result, RunError):
        assert str(result)
        return
    assert isinstance(result, RunSpec)
    assert parse_run(render_command(result)) == result


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_text_gives_spec_or_run_error(text: str) -> None:
    """Arbitrary text never escapes as another exception."""
    _only_spec_or_run_error(text)


FRAGMENTS = [
    *("StepLR", "SequentialLR", "ChainedScheduler", "LambdaLR", "ReduceLROnPlateau"),
    *("CyclicLR", "OneCycleLR", "optim.lr_scheduler.", "torch.", "optimizer", "math.cos"),
    *("(", ")", "[", "]", "{", "}", ",", "=", ":", ".", " ", "\n", "    ", "'", '"', "`"),
    *("step_size", "gamma", "milestones", "T_max", "lr_lambda", "schedulers", "mode"),
    *("lr", "steps", "metrics", "optimizer=Adam", "lambda e:", "lambda", "e", "epoch"),
    *("0", "1", "2.5", "-1", "1e999", "10**9", "9**9**9", "0.5", "True", "None", "'min'"),
    *("+", "-", "*", "/", "//", "%", "**", "<", "==", "if", "else", "and", "not", "for", "in"),
    *("min(", "max(", "floor(", "log(", "sqrt(", "exp(", "__class__", "__import__", ":="),
    *("import torch\n", "for epoch in range(3):\n", "scheduler.step()", "print(", "f'{"),
    *("optimizer = optim.SGD(params, lr=0.1)\n", "scheduler = ", "```py\n", "```"),
]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_token_soup_gives_spec_or_run_error(text: str) -> None:
    """Soups of fragments of valid expressions never escape as another exception."""
    _only_spec_or_run_error(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
    st.sampled_from(["step_size", "gamma", "last_epoch", "lr", "steps"]),
)
def test_soup_in_an_override_gives_spec_or_run_error(value: str, name: str) -> None:
    """Override values are as safe as parse_run input."""
    try:
        result = with_overrides("StepLR(step_size=2, gamma=0.5)", {name: value}, {name, "gamma"})
    except RunError:
        return
    assert isinstance(result, RunSpec)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SEED)), st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join))
def test_mutated_seed_snippet_gives_spec_or_run_error(at: int, insert: str) -> None:
    """The seed snippet with fragments spliced in anywhere is a spec or a RunError."""
    _only_spec_or_run_error(SEED[:at] + insert + SEED[at:])
