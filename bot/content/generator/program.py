"""A generated exercise as data (`Program`), and the Python snippet it renders to.

A Program is the training loop a learner reads: the optimizer and its parameter groups,
the scheduler, the loop (per epoch, per batch, with a checkpoint and a resume), what it
prints, and the bugs a debug problem plants in it. The same Program renders as the
snippet in the problem (`shown`, printing a fixed number of decimals), as the same code
printing the number in full (`value`), and as a plain loop printing it after every call
(`trace`). A problem's mistakes and bugs are Programs too, so torch computes every
option: nothing here computes a rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from bot.runner import Arg, SchedulerSpec, render_expression

CODE_WIDTH: Final = 74  # `anneal play` indents code by 4 in a 78-column screen
MOMENTUM: Final = 0.9  # SGD's momentum (and Adam's beta1) when a scheduler cycles it
PARTS: Final = ("backbone", "head")  # the parameter groups' names in two-group snippets
# Float literals in a snippet (0.05, 1e-3), not the ints of range(8) or zeros(1).
_FLOAT: Final = re.compile(r"(?<![\w.])(\d+\.\d+(?:e-?\d+)?|\d+e-?\d+)(?![\w.])")


class Read(StrEnum):
    """What the snippet prints."""

    LR = "lr"  # optimizer.param_groups[g]["lr"]
    LAST_LR = "last_lr"  # scheduler.get_last_lr()[g]
    MOMENTUM = "momentum"  # SGD's momentum or Adam's beta1, which the scheduler cycles


@dataclass(frozen=True)
class Resume:
    """Train `at` epochs, save both state_dicts, rebuild both objects, load, and go on."""

    at: int
    loads: tuple[str, ...] = ("optimizer", "scheduler")  # the states restored


@dataclass(frozen=True)
class Program:
    """One training loop: everything the snippet shows, and the bugs it may have."""

    scheduler: SchedulerSpec
    lrs: tuple[float, ...]  # one per parameter group
    epochs: int
    optimizer: str = "SGD"  # SGD, Adam or AdamW
    batches: int | None = None  # an inner loop of batches per epoch
    per_batch: bool = False  # scheduler.step() in the batch loop, not once per epoch
    metrics: tuple[float, ...] | None = None  # ReduceLROnPlateau: a validation loss per epoch
    read: Read = Read.LR
    group: int = 0  # the parameter group printed
    record: int | None = None  # print the rate epoch `record` (0-based) trained with
    resume: Resume | None = None
    names: tuple[str, ...] = ()  # variable names of SequentialLR's / ChainedScheduler's parts
    log: bool = False  # print the rate of every epoch on one line (debug problems)
    # Bugs a debug problem plants, each a line or two of real training code:
    swapped: bool = False  # scheduler.step() before the epoch's optimizer steps
    twice: bool = False  # scheduler.step() called again after validation
    rebuilt: bool = False  # a new optimizer built after the scheduler, which drives the old one
    reset: bool = False  # the rate set back to lr by hand at the start of every epoch
    train_losses: tuple[float, ...] | None = None  # ReduceLROnPlateau fed these instead
    bare: bool = False  # ReduceLROnPlateau stepped without its metric
    plain: bool = False  # SGD without momentum under a scheduler that cycles momentum
    # What a mistaken learner computes (never shown): a plain loop of `calls` calls, and
    # the printed number times `scale`.
    calls: int | None = None
    scale: float = 1.0

    @property
    def total_calls(self) -> int:
        """How many times the loop calls scheduler.step()."""
        if self.calls is not None:
            return self.calls
        per_epoch = self.batches if self.per_batch and self.batches else 1
        return self.epochs * per_epoch * (2 if self.twice else 1)

    @property
    def start(self) -> float:
        """The number the printed quantity starts from, as the code writes it."""
        return MOMENTUM if self.read is Read.MOMENTUM else self.lrs[self.group]

    @property
    def noun(self) -> str:
        """What the snippet prints, in words: "rate", "momentum" or "beta1"."""
        if self.read is not Read.MOMENTUM:
            return "rate"
        return "momentum" if self.optimizer == "SGD" else "beta1"

    @property
    def calls_read(self) -> int:
        """After how many calls of scheduler.step() the printed number is read."""
        return self.record if self.record is not None else self.total_calls

    def number(self, key: str) -> float:
        """A keyword of the scheduler as a float (it must be a number)."""
        value = self.scheduler.kwargs[key]
        assert isinstance(value, int | float), key
        assert not isinstance(value, bool), key
        return float(value)

    def integer(self, key: str) -> int:
        """A keyword of the scheduler that must be an int."""
        value = self.scheduler.kwargs[key]
        assert isinstance(value, int), key
        assert not isinstance(value, bool), key
        return value

    def word(self, key: str) -> str:
        """A keyword of the scheduler that must be a string."""
        value = self.scheduler.kwargs[key]
        assert isinstance(value, str), key
        return value

    def integers(self, key: str) -> list[int]:
        """A keyword of the scheduler that must be a list of ints."""
        value = self.scheduler.kwargs[key]
        assert isinstance(value, list), key
        return [v for v in value if isinstance(v, int)]

    def variant(self, **changes: Arg | None) -> Program:
        """The same loop with some of the scheduler's keywords changed (None removes one)."""
        kwargs = dict(self.scheduler.kwargs)
        for key, new in changes.items():
            if new is None:
                kwargs.pop(key, None)
            else:
                kwargs[key] = new
        return replace(self, scheduler=replace(self.scheduler, kwargs=kwargs))

    def flat(self, calls: int) -> Program:
        """The same optimizer and scheduler stepped `calls` times in a plain loop."""
        return replace(self, calls=calls, record=None, resume=None, log=False)

    def using(self, scheduler: SchedulerSpec) -> Program:
        """The same loop with another scheduler (a learner's wrong idea of it)."""
        return replace(self, scheduler=scheduler)

    def cycles_momentum(self) -> bool:
        """Whether SGD needs momentum for this scheduler (CyclicLR, OneCycleLR)."""
        return _cycles(self.scheduler)


def _cycles(spec: SchedulerSpec) -> bool:
    if spec.name in ("CyclicLR", "OneCycleLR") and spec.kwargs.get("cycle_momentum", True):
        return True
    return any(_cycles(child) for child in children(spec))


def children(spec: SchedulerSpec) -> list[SchedulerSpec]:
    """SequentialLR's and ChainedScheduler's schedulers."""
    found = spec.kwargs.get("schedulers", [])
    return [s for s in found if isinstance(s, SchedulerSpec)] if isinstance(found, list) else []


def lambda_sources(spec: SchedulerSpec) -> list[str]:
    """The source text of every lambda in a scheduler tree (LambdaSpec is the runner's)."""
    found: list[str] = []
    for item in spec.kwargs.values():
        source = getattr(item, "source", None)
        if isinstance(source, str):
            found.append(source)
    for child in children(spec):
        found += lambda_sources(child)
    return found


def float_literals(code: str) -> set[float]:
    """The float literals a snippet shows (0.05, 1e-3): numbers a guesser could match."""
    return {float(text) for text in _FLOAT.findall(code)}


# --- the three renderings -------------------------------------------------------------------


def shown(program: Program, decimals: int) -> str:
    """The snippet a learner reads: it prints the number with `decimals` decimals."""
    return _Renderer(program, decimals).code()


def value(program: Program) -> str:
    """The same code printing the number in full (repr), for the generator to read."""
    return _Renderer(program, None).code()


def trace(program: Program) -> str:
    """A plain loop printing the number before the first call and after each call."""
    return _Renderer(program, None).trace()


class _Renderer:
    """Writes one Program as Python, line by line."""

    def __init__(self, program: Program, decimals: int | None) -> None:
        self.p = program
        self.decimals = decimals

    def code(self) -> str:
        p = self.p
        lines = [*self.header(), *self.setup()]
        if p.log or p.record is not None:
            lines.append("used = []")
        lines.append("")
        if p.calls is not None:
            lines += [f"for step in range({p.calls}):", "    optimizer.step()"]
            lines.append(f"    {self.step('step')}")
        elif p.resume is not None:
            lines += [*self.loop(0, p.resume.at), *self.resume(p.resume)]
            lines += self.loop(p.resume.at, p.epochs)
        else:
            lines += self.loop(0, p.epochs)
        lines.append("")
        if p.log:
            item = f'f"{{lr:.{self.decimals}f}}"' if self.decimals else "repr(float(lr))"
            lines.append(f'print(" ".join({item} for lr in used))')
        else:
            read = f"used[{p.record}]" if p.record is not None else self.quantity()
            lines.append(self.show(read if p.scale == 1.0 else f"{read} * {p.scale!r}"))
        return "\n".join(lines) + "\n"

    def trace(self) -> str:
        lines = [*self.header(), *self.setup(), "", self.show(self.quantity())]
        lines += [f"for step in range({self.p.total_calls}):", "    optimizer.step()"]
        lines += [f"    {self.step('step')}", f"    {self.show(self.quantity())}"]
        return "\n".join(lines) + "\n"

    # -- pieces --

    def header(self) -> list[str]:
        p = self.p
        names = sorted({p.scheduler.name, *(child.name for child in children(p.scheduler))})
        uses_math = any("math." in source for source in lambda_sources(p.scheduler))
        params = (
            ["params = [torch.nn.Parameter(torch.zeros(1))]"]
            if len(p.lrs) == 1
            else [f"{part} = [torch.nn.Parameter(torch.zeros(1))]" for part in PARTS]
        )
        return [
            *(["import math"] if uses_math else []),
            "import torch",
            f"from torch.optim import {p.optimizer}",
            f"from torch.optim.lr_scheduler import {', '.join(names)}",
            "",
            *params,
        ]

    def setup(self) -> list[str]:
        """The optimizer, the scheduler, the losses, and a rebuilt optimizer if planted."""
        p = self.p
        lines = [*self.optimizer(rebuilt=False), *self.schedulers()]
        if p.metrics is not None:
            lines.append(f"val_losses = {_numbers(p.metrics)}")
        if p.train_losses is not None:
            lines.append(f"train_losses = {_numbers(p.train_losses)}")
        if p.rebuilt:
            lines += ["# try other settings", *self.optimizer(rebuilt=True)]
        return lines

    def optimizer(self, rebuilt: bool) -> list[str]:
        p = self.p
        extra = []
        if p.optimizer == "SGD" and ((p.cycles_momentum() and not p.plain) or rebuilt):
            extra.append(f"momentum={MOMENTUM}")
        elif p.optimizer == "AdamW":
            extra.append("weight_decay=0.01")
        if rebuilt and p.optimizer == "SGD":
            extra.append("nesterov=True")
        if len(p.lrs) == 1:
            return [
                f"optimizer = {p.optimizer}({', '.join(['params', f'lr={p.lrs[0]!r}', *extra])})"
            ]
        groups = [
            f'{{"params": {part}, "lr": {lr!r}}}' for part, lr in zip(PARTS, p.lrs, strict=True)
        ]
        return [
            f"optimizer = {p.optimizer}(",
            "    [",
            *(f"        {group}," for group in groups),
            "    ],",
            *(f"    {keyword}," for keyword in extra),
            ")",
        ]

    def schedulers(self) -> list[str]:
        p = self.p
        parts = children(p.scheduler)
        if not parts:
            return _call_lines("scheduler", p.scheduler, ["optimizer"])
        names = list(p.names[: len(parts)]) or [f"part{i}" for i in range(len(parts))]
        lines = [
            line
            for name, part in zip(names, parts, strict=True)
            for line in _call_lines(name, part, ["optimizer"])
        ]
        listed = f"[{', '.join(names[: len(parts)])}]"
        rest = {k: v for k, v in p.scheduler.kwargs.items() if k != "schedulers"}
        if p.scheduler.name == "ChainedScheduler":
            head = [listed]
        else:
            head = ["optimizer", f"schedulers={listed}"]
        return [*lines, *_call_lines("scheduler", SchedulerSpec(p.scheduler.name, rest), head)]

    def quantity(self) -> str:
        p = self.p
        if p.read is Read.LAST_LR:
            return f"scheduler.get_last_lr()[{p.group}]"
        if p.read is Read.MOMENTUM:
            key = "['momentum']" if p.optimizer == "SGD" else "['betas'][0]"
            return f"optimizer.param_groups[{p.group}]{key}"
        return f"optimizer.param_groups[{p.group}]['lr']"

    def show(self, expression: str) -> str:
        if self.decimals is None:
            return f"print(repr(float({expression})))"
        return f'print(f"{{{expression}:.{self.decimals}f}}")'

    def step(self, index: str) -> str:
        p = self.p
        if p.metrics is None or p.bare:
            return "scheduler.step()"
        losses = "train_losses" if p.train_losses is not None else "val_losses"
        return f"scheduler.step({losses}[{index}])"

    def loop(self, start: int, stop: int) -> list[str]:
        p = self.p
        span = f"{stop}" if start == 0 else f"{start}, {stop}"
        body: list[str] = []
        if p.reset:
            body += ["for group in optimizer.param_groups:", f"    group['lr'] = {p.lrs[0]!r}"]
        if p.swapped and not p.per_batch:
            body.append(self.step("epoch"))
        # The generator's own runs skip batches that do not step the scheduler: the rate is
        # the same, and the run is shorter.
        if p.batches and (p.per_batch or self.decimals is not None):
            body.append(f"for batch in range({p.batches}):")
            if p.per_batch and p.swapped:
                body.append(f"    {self.step('epoch')}")
            body.append("    optimizer.step()")
            if p.per_batch and not p.swapped:
                body.append(f"    {self.step('epoch')}")
        else:
            body.append("optimizer.step()")
        if p.log or p.record is not None:
            body.append(f"used.append({self.quantity()})")
        if not p.per_batch and not p.swapped:
            body.append(self.step("epoch"))
        if p.twice:
            body += ["# after validation", self.step("epoch")]
        return [f"for epoch in range({span}):", *(f"    {line}" for line in body)]

    def resume(self, resume: Resume) -> list[str]:
        lines = [
            "checkpoint = {",
            '    "optimizer": optimizer.state_dict(),',
            '    "scheduler": scheduler.state_dict(),',
            "}",
            "",
            "# later, a new run resumes from the checkpoint",
            *self.optimizer(rebuilt=False),
            *self.schedulers(),
        ]
        lines += [f'{name}.load_state_dict(checkpoint["{name}"])' for name in resume.loads]
        return lines


def _numbers(values: tuple[float, ...]) -> str:
    return "[" + ", ".join(repr(v) for v in values) + "]"


def _call_lines(target: str, spec: SchedulerSpec, head: list[str]) -> list[str]:
    """`target = Name(head..., key=value, ...)`, one argument per line when it is long.

    A lambda too long for one line becomes a function defined above, as real code does.
    """
    arguments = [*head, *(_keyword(spec.name, k, v) for k, v in spec.kwargs.items())]
    line = f"{target} = {spec.name}({', '.join(arguments)})"
    if len(line) <= CODE_WIDTH:
        return [line]
    defined: list[str] = []
    for i, (key, item) in enumerate(spec.kwargs.items(), start=len(head)):
        source = getattr(item, "source", None)
        if isinstance(source, str) and len(arguments[i]) > CODE_WIDTH - 8:
            name = "factor" if target == "scheduler" else f"{target}_factor"
            parameters, body = source.removeprefix("lambda").split(":", 1)
            defined += ["", f"def {name}({parameters.strip()}):", *_returned(body.strip()), ""]
            arguments[i] = f"{key}={name}"
    line = f"{target} = {spec.name}({', '.join(arguments)})"
    if len(line) <= CODE_WIDTH:
        return [*defined, line]
    return [*defined, f"{target} = {spec.name}(", *(f"    {a}," for a in arguments), ")"]


def _returned(body: str) -> list[str]:
    """`return body`, with a long `a if c else b` split over lines inside parentheses."""
    line = f"    return {body}"
    if len(line) <= CODE_WIDTH or " else " not in body:
        return [line]
    chosen, other = body.split(" else ", 1)
    return ["    return (", f"        {chosen}", f"        else {other}", "    )"]


def _keyword(name: str, key: str, value: Arg) -> str:
    if isinstance(value, list) and value and isinstance(value[0], SchedulerSpec):
        raise ValueError("nested schedulers are rendered by name")
    # render_expression writes values exactly as `!run` reads them; reuse it per keyword.
    return render_expression(SchedulerSpec(name, {key: value}))[len(name) + 1 : -1]
