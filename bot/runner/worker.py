"""The runner's worker process: imports torch once, then answers RunSpec JSON lines with RunResults.

Run as `python -m bot.runner.worker`. The pool (bot/runner/pool.py) starts a few of these,
waits for the ready line, then writes one job per line on stdin and reads one answer per
line on stdout. Nothing else may reach stdout: the real stdout is kept for the protocol
and file descriptor 1 is pointed at stderr, so a stray print (Python or C) cannot corrupt it.

This module imports torch only inside functions, so torch-free code (the CLI, tests) can
use its JSON helpers; the bot process itself never imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import difflib
import inspect
import json
import math
import os
import re
import resource
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from bot.runner.lambdas import compile_lambda as compile_lambda_tree
from bot.runner.protocol import (
    EXIT_OUT_OF_MEMORY,
    FATAL_KEY,
    MAX_COMPARE,
    MAX_GROUPS,
    READY_KEY,
    REFUSED_KEY,
    answer_line,
    child_schedulers,
    cycles_momentum,
    decode_spec,
    encode_png,
    encode_result,
)
from bot.runner.spec import (
    MAX_STEPS,
    OPTIMIZER_NAMES,
    SCHEDULER_NAMES,
    LambdaSpec,
    RunError,
    RunResult,
    RunSpec,
    SchedulerSpec,
)

if TYPE_CHECKING:
    from torch.optim import Optimizer

LambdaCompiler = Callable[[LambdaSpec], Callable[[int], float]]

TEST_HOOKS_ENV = "ANNEAL_TEST_HOOKS"
MAX_WARNINGS = 8
MAX_DEPTH = 8  # nesting of schedulers and lists: SequentialLR([...]) is two levels
MAX_SCHEDULERS = 16
# Keyword arguments are checked again here even though the parser allowlists them: the
# worker is the last place that can refuse, and it costs nothing.
_KWARG_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Checking a spec before torch sees it
# ---------------------------------------------------------------------------------------


def validate(spec: RunSpec) -> None:
    """Refuse a spec the parser should never have produced, with a message fit for a user."""
    if spec.optimizer not in OPTIMIZER_NAMES:
        raise RunError(
            f"Unknown optimizer {spec.optimizer!r}: use one of {', '.join(OPTIMIZER_NAMES)}."
        )
    if not 0 <= spec.steps <= MAX_STEPS:
        raise RunError(f"steps must be between 0 and {MAX_STEPS:,}, not {spec.steps:,}.")
    if not 1 <= len(spec.lr) <= MAX_GROUPS:
        raise RunError(f"Give between 1 and {MAX_GROUPS} learning rates (one per parameter group).")
    _validate_scheduler(spec.scheduler, depth=0)
    if _count_schedulers(spec.scheduler) > MAX_SCHEDULERS:
        # Each one is stepped every step: this bounds a job's work, not only its depth.
        raise RunError(f"Use at most {MAX_SCHEDULERS} schedulers in one run.")
    if spec.scheduler.name == "ReduceLROnPlateau":
        _validate_metrics(spec)


def _validate_scheduler(spec: SchedulerSpec, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise RunError("Schedulers and lists are nested too deeply.")
    if spec.name not in SCHEDULER_NAMES:
        raise RunError(_unknown_name_message(spec.name))
    for key, value in spec.kwargs.items():
        if not _KWARG_NAME.match(key):
            raise RunError(f"{spec.name} has no argument {key!r}.")
        _validate_value(value, depth)


def _validate_value(value: Any, depth: int) -> None:
    if isinstance(value, SchedulerSpec):
        _validate_scheduler(value, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _validate_value(item, depth + 1)
    elif not isinstance(value, LambdaSpec | float | int | bool | str | None):
        raise RunError(f"Arguments must be numbers, strings, lists or schedulers, not {value!r}.")


def _count_schedulers(spec: SchedulerSpec) -> int:
    return 1 + sum(_count_schedulers(child) for child in child_schedulers(spec))


def _validate_metrics(spec: RunSpec) -> None:
    if spec.metrics is None:
        raise RunError(
            "ReduceLROnPlateau reacts to a metric (say, the validation loss), so it needs one "
            "value per step: give metrics=[...] with one number per step."
        )
    if len(spec.metrics) < spec.steps:
        raise RunError(
            f"ReduceLROnPlateau needs one metric per step: {spec.steps} steps but only "
            f"{len(spec.metrics)} metrics."
        )


def _unknown_name_message(name: str) -> str:
    close = difflib.get_close_matches(name, SCHEDULER_NAMES, n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    return f"{name!r} is not a scheduler Anneal can run.{hint}"


# ---------------------------------------------------------------------------------------
# Building torch objects
# ---------------------------------------------------------------------------------------


def build_optimizer(spec: RunSpec) -> Optimizer:
    """One tiny parameter per group, so every group can have its own initial rate."""
    import torch

    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in spec.lr]
    extra: dict[str, float] = {}
    # CyclicLR and OneCycleLR drive momentum; SGD's default of 0 would make the teaching
    # example unlike every real use of them, so give it the customary 0.9.
    if spec.optimizer in ("SGD", "RMSprop") and cycles_momentum(spec.scheduler):
        extra["momentum"] = 0.9
    optimizer_class = getattr(torch.optim, spec.optimizer)
    optimizer: Optimizer = optimizer_class(groups, lr=spec.lr[0], **extra)
    return optimizer


class _BuildFailed(Exception):
    """A scheduler's constructor refused its arguments; carries which one."""

    def __init__(self, spec: SchedulerSpec, cause: Exception) -> None:
        super().__init__(str(cause))
        self.spec = spec
        self.cause = cause


def build_scheduler(
    spec: SchedulerSpec, optimizer: Optimizer, compile_lambda: LambdaCompiler
) -> Any:
    """Build a scheduler; nested schedulers are built first, on the same optimizer, as in Python."""
    from torch.optim import lr_scheduler

    kwargs = {key: _resolve(value, optimizer, compile_lambda) for key, value in spec.kwargs.items()}
    scheduler_class = getattr(lr_scheduler, spec.name)
    try:
        if spec.name == "ChainedScheduler":
            # Its first positional parameter is `schedulers`; the optimizer comes second.
            return scheduler_class(optimizer=optimizer, **kwargs)
        return scheduler_class(optimizer, **kwargs)
    except MemoryError:
        raise
    except Exception as exc:  # whatever torch raises is the lesson
        raise _BuildFailed(spec, exc) from exc


def _resolve(value: Any, optimizer: Optimizer, compile_lambda: LambdaCompiler) -> Any:
    if isinstance(value, SchedulerSpec):
        return build_scheduler(value, optimizer, compile_lambda)
    if isinstance(value, LambdaSpec):
        return compile_lambda(value)
    if isinstance(value, list | tuple):
        return [_resolve(item, optimizer, compile_lambda) for item in value]
    return value


# ---------------------------------------------------------------------------------------
# Running a schedule
# ---------------------------------------------------------------------------------------


def compute(spec: RunSpec, compile_lambda: LambdaCompiler | None = None) -> RunResult:
    """Step a fresh optimizer and scheduler `spec.steps` times and record what torch did.

    Errors a user can cause never raise: they end up in RunResult.error, after the steps
    that did succeed. Only MemoryError escapes (the worker then exits and is replaced).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _compute(spec, compile_lambda or compile_lambda_tree)
    return dataclasses.replace(result, warnings=dedupe_warnings(caught))


def _compute(spec: RunSpec, compile_lambda: LambdaCompiler) -> RunResult:
    empty = tuple(() for _ in spec.lr)
    try:
        validate(spec)
        optimizer = build_optimizer(spec)
        scheduler = build_scheduler(spec.scheduler, optimizer, compile_lambda)
    except RunError as exc:
        return RunResult(groups=empty, initial=spec.lr, error=str(exc))
    except _BuildFailed as failed:
        return RunResult(groups=empty, initial=spec.lr, error=explain_build(failed))
    except MemoryError:
        raise
    except Exception as exc:  # the optimizer refused, e.g. a negative lr
        return RunResult(groups=empty, initial=spec.lr, error=_optimizer_message(spec, exc))
    return _step(spec, optimizer, scheduler)


def _step(spec: RunSpec, optimizer: Optimizer, scheduler: Any) -> RunResult:
    groups = optimizer.param_groups
    initial = tuple(float(g["lr"]) for g in groups)
    lrs: list[list[float]] = [[] for _ in groups]
    track = cycles_momentum(spec.scheduler)
    beta = "betas" in optimizer.defaults
    momenta: list[list[float]] = [[] for _ in groups] if track else []
    metrics = spec.metrics if spec.scheduler.name == "ReduceLROnPlateau" else None
    error = None
    for i in range(spec.steps):
        try:
            optimizer.step()
            if metrics is None:
                scheduler.step()
            else:
                scheduler.step(metrics[i])
        except MemoryError:
            raise
        except Exception as exc:  # torch's error is the lesson; keep the steps before it
            error = explain_step(exc, step=i + 1, spec=spec)
            break
        for column, group in zip(lrs, groups, strict=True):
            column.append(float(group["lr"]))
        for column, group in zip(momenta, groups, strict=False):
            column.append(float(group["betas"][0] if beta else group["momentum"]))
    return RunResult(
        groups=tuple(tuple(c) for c in lrs),
        initial=initial,
        momentum=tuple(tuple(c) for c in momenta) if track else None,
        error=error,
    )


def dedupe_warnings(caught: Iterable[warnings.WarningMessage]) -> tuple[str, ...]:
    """Each distinct warning once, in order of first appearance, at most MAX_WARNINGS."""
    seen: dict[str, None] = {}
    for record in caught:
        seen.setdefault(f"{record.category.__name__}: {record.message}", None)
    return tuple(seen)[:MAX_WARNINGS]


# ---------------------------------------------------------------------------------------
# Turning torch's errors into lessons
# ---------------------------------------------------------------------------------------

_ONE_CYCLE_PAST_END = re.compile(
    r"Tried to step (\d+) times\. The specified number of total steps is (\d+)"
)
_UNEXPECTED_KWARG = re.compile(r"got an unexpected keyword argument '(\w+)'")
_MISSING_ARGS = re.compile(r"missing \d+ required (?:positional |keyword-only )?arguments?: (.+)$")


def _torch_said(exc: BaseException) -> str:
    text = str(exc)
    # Python names the method ("StepLR.__init__()"); a learner wrote "StepLR(...)".
    text = re.sub(r"\b(\w+)\.__init__\(\)", r"\1()", text)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def explain_build(failed: _BuildFailed) -> str:
    """Why a scheduler's constructor refused, in words a learner can act on."""
    name, exc = failed.spec.name, failed.cause
    if isinstance(exc, RunError):
        return str(exc)
    said = _torch_said(exc)
    if isinstance(exc, TypeError):
        lesson = _signature_lesson(name, str(exc))
        if lesson:
            return f"{lesson} (torch: {said})"
    if isinstance(exc, ZeroDivisionError):
        zeros = _zeros(failed.spec)
        return f"{name} divides by one of its arguments, and it is 0{zeros}. (torch: {said})"
    return f"{name} refused its arguments. torch says: {said}"


def _signature_lesson(name: str, message: str) -> str | None:
    parameters = _parameters(name)
    listed = ", ".join(parameters)
    unexpected = _UNEXPECTED_KWARG.search(message)
    if unexpected:
        bad = unexpected.group(1)
        close = difflib.get_close_matches(bad, parameters, n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        return f"{name} has no argument {bad!r}.{hint} Its arguments are: {listed}."
    missing = _MISSING_ARGS.search(message)
    if missing:
        needed = missing.group(1).replace("'", "")
        return f"{name} needs {needed}. Its arguments are: {listed}."
    return None


def _parameters(name: str) -> list[str]:
    from torch.optim import lr_scheduler

    signature = inspect.signature(getattr(lr_scheduler, name).__init__)
    return [p for p in signature.parameters if p not in ("self", "optimizer")]


def _zeros(spec: SchedulerSpec) -> str:
    zeros = [f"{k}={v}" for k, v in spec.kwargs.items() if v == 0 and not isinstance(v, bool)]
    return f" ({', '.join(zeros)})" if zeros else ""


def explain_step(exc: BaseException, step: int, spec: RunSpec) -> str:
    """Why stepping stopped at `step`; the steps before it are kept in the result."""
    who = _raising_scheduler(exc.__traceback__) or spec.scheduler.name
    if isinstance(exc, RunError):  # e.g. a lambda that divided by zero: already worded
        return f"{who} stopped at step {step}: {exc}"
    said = _torch_said(exc)
    past_end = _ONE_CYCLE_PAST_END.search(str(exc))
    if who == "OneCycleLR" and past_end:
        stepped, total = past_end.groups()
        return (
            f"OneCycleLR was stepped {stepped} times but total_steps is {total}: it plans one "
            f"cycle of exactly total_steps steps (or epochs * steps_per_epoch) and has no rate "
            f"past the end. Make total_steps at least the number of steps you run. (torch: {said})"
        )
    node = _find(spec.scheduler, who)
    zeros = _zeros(node) if node else ""
    if isinstance(exc, ZeroDivisionError) and who == "StepLR":
        return (
            f"StepLR divided by zero at step {step}: step_size is how many steps pass between "
            f"decays, so it must be a positive integer{zeros}. (torch: {said})"
        )
    if isinstance(exc, ZeroDivisionError):
        return (
            f"{who} divided by zero at step {step}: one of its arguments is 0{zeros}. "
            f"(torch: {said})"
        )
    return f"{who} failed at step {step}. torch says: {said}"


def _raising_scheduler(tb: TracebackType | None) -> str | None:
    """The class of the innermost scheduler whose method was running when torch raised."""
    from torch.optim.lr_scheduler import LRScheduler

    found = None
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        if isinstance(owner, LRScheduler):
            found = type(owner).__name__
        tb = tb.tb_next
    return found


def _find(spec: SchedulerSpec, name: str) -> SchedulerSpec | None:
    if spec.name == name:
        return spec
    for child in child_schedulers(spec):
        hit = _find(child, name)
        if hit:
            return hit
    return None


def _optimizer_message(spec: RunSpec, exc: Exception) -> str:
    return f"{spec.optimizer} refused its settings. torch says: {_torch_said(exc)}"


# ---------------------------------------------------------------------------------------
# The process: limits, warm-up, the job loop
# ---------------------------------------------------------------------------------------


def apply_limits(memory: int, open_files: int, file_size: int) -> None:
    """Resource limits, set before torch is imported and before any job is read."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if open_files:
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
    # A write past RLIMIT_FSIZE should fail with an OSError, not kill the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))


def arm_cpu_limit(job_cpu_seconds: int) -> None:
    """Allow the next job `job_cpu_seconds` of CPU beyond what this process used so far.

    A backstop behind the pool's wall-clock limit: past it the kernel sends SIGXCPU, which
    ends the worker, and the pool replaces it.
    """
    if not job_cpu_seconds:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime) + job_cpu_seconds
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def claim_stdout() -> IO[bytes]:
    """Keep the real stdout for answers and send everything else written to fd 1 to stderr."""
    sys.stdout.flush()
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def send(out: IO[bytes], message: dict[str, Any]) -> None:
    """Write one answer line and flush it, so the pool reads it at once."""
    out.write(answer_line(message))
    out.flush()


def warm_up(plot: bool) -> None:
    """Pay every first-use cost now, not in a learner's first job."""
    import torch

    torch.set_num_threads(1)
    # The first optimizer costs ~0.8 s (it imports torch._dynamo); these specs also touch
    # the momentum and beta1 paths.
    for optimizer in ("SGD", "Adam"):
        spec = RunSpec(
            scheduler=SchedulerSpec("OneCycleLR", {"max_lr": 1.0, "total_steps": 10}),
            steps=10,
            optimizer=optimizer,
        )
        _must_succeed(compute(spec))
    if plot:
        from bot.runner import plot as plotting

        spec = RunSpec(scheduler=SchedulerSpec("StepLR", {"step_size": 2}), steps=10)
        result = _must_succeed(compute(spec))
        plotting.chart(spec, result)
        plotting.render_comparison([("a", result), ("b", result)], title="warm-up")


def _must_succeed(result: RunResult) -> RunResult:
    # compute() turns every error into a message; during warm-up an error means the
    # environment is broken (a limit too tight, a missing library), so stop loudly.
    if result.error:
        raise RuntimeError(f"warm-up failed: {result.error}")
    return result


def handle(job: dict[str, Any], plot_enabled: bool) -> dict[str, Any]:
    """One job in, one answer out; the answer echoes the job's id."""
    answer: dict[str, Any] = {"id": job.get("id")}
    if "compare" in job:
        answer.update(_compare(job["compare"], plot_enabled))
        return answer
    spec = decode_spec(job)
    hooked = _test_hook(spec)
    result = hooked if hooked is not None else compute(spec)
    answer.update(encode_result(result))
    if job.get("plot") and plot_enabled:
        from bot.runner import plot as plotting

        answer["png"] = encode_png(plotting.chart(spec, result))
    return answer


def _compare(items: list[dict[str, Any]], plot_enabled: bool) -> dict[str, Any]:
    if not 1 <= len(items) <= MAX_COMPARE:
        raise RunError(f"Compare between 1 and {MAX_COMPARE} schedules at a time.")
    labelled = [(str(item["label"]), compute(decode_spec(item["spec"]))) for item in items]
    answer: dict[str, Any] = {"runs": [encode_result(result) for _, result in labelled]}
    if plot_enabled:
        from bot.runner import plot as plotting

        answer["png"] = encode_png(plotting.render_comparison(labelled))
    return answer


def _test_hook(spec: RunSpec) -> RunResult | None:
    """Misbehaviour on request, for the pool's tests; inert unless ANNEAL_TEST_HOOKS=1."""
    if os.environ.get(TEST_HOOKS_ENV) != "1" or not spec.scheduler.name.startswith("__test_"):
        return None
    kwargs = spec.scheduler.kwargs
    name = spec.scheduler.name
    notes: tuple[str, ...] = ()
    if name == "__test_sleep__":
        time.sleep(_number(kwargs.get("seconds"), 60))
    elif name == "__test_hog__":
        hog = bytearray(int(_number(kwargs.get("bytes"), 1 << 33)))
        notes = (f"allocated {len(hog)} bytes",)
    elif name == "__test_print__":
        print("stray print")
        os.write(1, b"stray write to fd 1\n")
    elif name == "__test_env__":
        notes = (
            f"env={','.join(sorted(os.environ))}",
            f"cwd={os.getcwd()}",
            f"uid={os.getuid()}",
            f"interfaces={_interfaces()}",
        )
    return RunResult(groups=((),), initial=spec.lr, warnings=notes)


def _number(value: object, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default


def _interfaces() -> str:
    import socket

    # A sandbox without network shows only the loopback interface.
    return ",".join(sorted(name for _, name in socket.if_nameindex()))


def serve(source: IO[bytes], out: IO[bytes], plot_enabled: bool, job_cpu: int) -> None:
    """Answer jobs until stdin closes."""
    for line in iter(source.readline, b""):
        arm_cpu_limit(job_cpu)
        try:
            job = json.loads(line)
            if not isinstance(job, dict):
                raise ValueError("a job is a JSON object")
            answer = handle(job, plot_enabled)
        except MemoryError:
            # After a MemoryError nothing here can be trusted; the pool replaces us.
            os._exit(EXIT_OUT_OF_MEMORY)
        except RunError as exc:
            answer = {"id": _job_id(line), REFUSED_KEY: str(exc)}
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            # A malformed job is the bot's bug, not the learner's: say so plainly.
            answer = {"id": _job_id(line), FATAL_KEY: f"malformed job: {exc!r}"}
        send(out, answer)


def _job_id(line: bytes) -> Any:
    with contextlib.suppress(ValueError, AttributeError):
        return json.loads(line).get("id")
    return None


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.runner.worker")
    parser.add_argument("--plot", action="store_true", help="import matplotlib and render charts")
    parser.add_argument("--memory", type=int, default=0, help="RLIMIT_AS in bytes (0: unlimited)")
    parser.add_argument("--job-cpu", type=int, default=0, help="CPU seconds per job (0: none)")
    parser.add_argument("--open-files", type=int, default=0, help="RLIMIT_NOFILE (0: inherit)")
    parser.add_argument("--file-size", type=int, default=1 << 20, help="RLIMIT_FSIZE in bytes")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    apply_limits(args.memory, args.open_files, args.file_size)
    out = claim_stdout()
    started = time.perf_counter()
    try:
        warm_up(args.plot)
    except MemoryError:
        print(
            "worker: out of memory while importing torch; raise the memory limit", file=sys.stderr
        )
        return EXIT_OUT_OF_MEMORY
    import torch

    ready = {
        READY_KEY: True,
        "pid": os.getpid(),
        "plot": args.plot,
        "torch": torch.__version__,
        "warm_up_s": round(time.perf_counter() - started, 3),
    }
    send(out, ready)
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
        serve(sys.stdin.buffer, out, args.plot, args.job_cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
