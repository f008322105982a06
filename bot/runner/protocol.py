"""What both ends of the runner's pipe share: the JSON of jobs and answers, limits, exit codes.

The pool (bot side) writes one job per line on a worker's stdin; the worker answers each
with one line on its stdout, echoing the job's id:

    (at start-up)      -> {"ready": true, "pid": .., "plot": .., "torch": .., "warm_up_s": ..,
                           "warm_up_cpu_s": ..}
    (every job, first) -> {"started": <id>}   the worker has read the job and is running it
    run:     {"id", <spec>}                       -> {"id", <result>}
    chart:   {"id", <spec>, "plot": true, "title"} -> {"id", <result>, "png": <base64>}
    compare: {"id", "compare": [{"label", "spec"}, ...], "title"?}
                                                  -> {"id", "runs": [<result>, ...], "png"}
    a refusal the learner can act on              -> {"id", "refused": "<message>"}
    a job past its CPU-time limit                 -> {"id", "over_cpu_limit": <seconds used>}
    a job the worker cannot read (a bug)          -> {"id", "fatal": "<message>"}

The "started" line is what lets the pool retry safely: a worker that dies before it says
"started" never ran the job (it died while idle), so the job goes to another worker; a job
that started is never retried, since it may be what killed the worker.

Jobs hold only what the parser admits (finite numbers), so they are plain JSON. Answers
can hold torch's infinities, so they are strict JSON with "inf", "-inf" and "nan" as
strings, which float() reads back. Nothing here imports torch or the parser: the worker
imports this module, and the parser (bot/runner/language/) stays on the bot's side.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterator, Sequence
from typing import Any, Final

from bot.runner.spec import LambdaSpec, RunResult, RunSpec, SchedulerSpec

READY_KEY: Final = "ready"  # the first line a worker writes, once torch is warm
STARTED_KEY: Final = "started"  # the line before each answer: the job was read
REFUSED_KEY: Final = "refused"
OVER_CPU_LIMIT_KEY: Final = "over_cpu_limit"
FATAL_KEY: Final = "fatal"
EXIT_OUT_OF_MEMORY: Final = 3  # the worker's exit code after a MemoryError

MAX_GROUPS: Final = 8  # parameter groups in one run (lr=[...], lists of lambdas)
MAX_COMPARE: Final = 4  # schedules in one compare job (one chart stays readable)
# Schedulers that cycle momentum unless told `cycle_momentum=False`.
MOMENTUM_CYCLERS: Final = frozenset({"CyclicLR", "OneCycleLR"})


def child_schedulers(spec: SchedulerSpec) -> Iterator[SchedulerSpec]:
    """The schedulers nested directly in `spec`'s arguments (SequentialLR's, say)."""
    for value in spec.kwargs.values():
        items = value if isinstance(value, list | tuple) else [value]
        yield from (item for item in items if isinstance(item, SchedulerSpec))


def cycles_momentum(spec: SchedulerSpec) -> bool:
    """Whether some scheduler in the tree cycles momentum (CyclicLR/OneCycleLR by default do).

    The worker then builds SGD and RMSprop with momentum=0.9, and the rendered snippet says so.
    """
    if spec.name in MOMENTUM_CYCLERS and spec.kwargs.get("cycle_momentum", True):
        return True
    return any(cycles_momentum(child) for child in child_schedulers(spec))


# --- specs and results as JSON --------------------------------------------------------------


def encode_spec(spec: RunSpec) -> dict[str, Any]:
    """A RunSpec as a JSON object: a run job without its id."""
    return {
        "scheduler": encode_value(spec.scheduler),
        "lr": list(spec.lr),
        "steps": spec.steps,
        "optimizer": spec.optimizer,
        "metrics": None if spec.metrics is None else list(spec.metrics),
    }


def decode_spec(data: dict[str, Any]) -> RunSpec:
    """The RunSpec a job describes; KeyError, TypeError or ValueError if it is malformed."""
    scheduler = decode_value(data["scheduler"])
    if not isinstance(scheduler, SchedulerSpec):
        raise ValueError("spec.scheduler must be a scheduler")
    metrics = data.get("metrics")
    return RunSpec(
        scheduler=scheduler,
        lr=tuple(float(v) for v in data["lr"]),
        steps=int(data["steps"]),
        optimizer=str(data["optimizer"]),
        metrics=None if metrics is None else tuple(float(v) for v in metrics),
    )


def encode_value(value: Any) -> Any:
    """A scheduler argument as JSON: schedulers and lambdas become tagged objects."""
    if isinstance(value, SchedulerSpec):
        return {"$scheduler": {"name": value.name, "kwargs": encode_value(value.kwargs)}}
    if isinstance(value, LambdaSpec):
        return {"$lambda": {"arg": value.arg, "body": value.body, "source": value.source}}
    if isinstance(value, dict):
        return {k: encode_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    return value


def decode_value(value: Any) -> Any:
    """The scheduler argument `encode_value` wrote."""
    if isinstance(value, dict):
        if "$scheduler" in value:
            inner = value["$scheduler"]
            return SchedulerSpec(name=str(inner["name"]), kwargs=decode_value(inner["kwargs"]))
        if "$lambda" in value:
            inner = value["$lambda"]
            return LambdaSpec(arg=inner["arg"], body=inner["body"], source=inner["source"])
        return {str(k): decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def encode_result(result: RunResult) -> dict[str, Any]:
    """A RunResult as a JSON object (`lrs` repeats group 0 for readers of `anneal run --json`)."""
    momentum = result.momentum
    start = result.initial_momentum
    return {
        "lrs": list(result.lrs),
        "groups": [list(g) for g in result.groups],
        "initial": list(result.initial),
        "momentum": None if momentum is None else [list(m) for m in momentum],
        "initial_momentum": None if start is None else list(start),
        "warnings": list(result.warnings),
        "error": result.error,
    }


def decode_result(data: dict[str, Any]) -> RunResult:
    """The RunResult an answer holds; KeyError, TypeError or ValueError if it is malformed."""
    momentum = data.get("momentum")
    start = data.get("initial_momentum")
    return RunResult(
        groups=tuple(tuple(float(v) for v in g) for g in data["groups"]),
        initial=tuple(float(v) for v in data["initial"]),
        momentum=None if momentum is None else tuple(tuple(map(float, m)) for m in momentum),
        initial_momentum=None if start is None else tuple(float(v) for v in start),
        warnings=tuple(str(w) for w in data.get("warnings", ())),
        error=data.get("error"),
    )


# --- jobs and answers -----------------------------------------------------------------------


def chart_job(spec: RunSpec, title: str) -> dict[str, Any]:
    """A job for one run and its chart; the bot writes the title, so the worker needs no parser."""
    return {**encode_spec(spec), "plot": True, "title": title}


def compare_job(runs: Sequence[tuple[str, RunSpec]], title: str | None = None) -> dict[str, Any]:
    """A job for several labelled runs drawn on one chart (the bot writes the title)."""
    job: dict[str, Any] = {
        "compare": [{"label": label, "spec": encode_spec(spec)} for label, spec in runs]
    }
    if title is not None:
        job["title"] = title
    return job


def encode_png(data: bytes) -> str:
    """A chart as the text an answer carries."""
    return base64.b64encode(data).decode("ascii")


def decode_png(answer: dict[str, Any]) -> bytes:
    """The chart in an answer; KeyError, TypeError or binascii.Error if it has none."""
    return base64.b64decode(answer["png"], validate=True)


def job_line(job: dict[str, Any]) -> bytes:
    """One job as the line the pool writes."""
    return json.dumps(job).encode() + b"\n"


def answer_line(message: dict[str, Any]) -> bytes:
    """One answer (or the ready line) as the line the worker writes."""
    return dumps(message).encode() + b"\n"


def json_safe(value: Any) -> Any:
    """Replace non-finite floats by "inf", "-inf" or "nan" (strict JSON has no such numbers).

    `float("inf")` reads them back, so decode_result restores the original values.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """One line of strict JSON; the common all-finite case skips the slow walk."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(json_safe(value), allow_nan=False, separators=(",", ":"))
