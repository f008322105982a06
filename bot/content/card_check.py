"""`anneal content check` for the learn cards: each default against torch's own signature,
each number against what the runner computes, and each `!run` example parsed and run.

torch is only ever imported in other processes: the signatures come from
`python -m bot.content.torch_signatures`, the schedules from a RunnerPool worker.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.card_library import CardLibrary, load_cards
from bot.content.cards import CARD_NAMES, Card, CardParam, Example, Fact, matches, number
from bot.content.loader import ContentError
from bot.runner import RunError, RunResult, RunSpec, format_number, parse_run

SIGNATURES_TIMEOUT = 90.0  # seconds for a process that imports torch on a busy machine
RUN_TIMEOUT = 30.0  # CPU seconds for one schedule; a card's runs are short


@dataclass
class CardReport:
    """What the card check found: counts of what was compared, and every failure."""

    cards_checked: int = 0
    parameters_checked: int = 0
    facts_checked: int = 0
    runs: int = 0
    torch_version: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing failed."""
        return not self.failures


def describe_report(report: CardReport) -> str:
    """One line of what a passing card check compared."""
    return (
        f"{report.cards_checked} learn cards, {report.parameters_checked} parameters as in "
        f"torch {report.torch_version}'s signatures, {report.facts_checked} numbers as the "
        f"runner computes them ({report.runs} runs)"
    )


def check_cards(directory: Path, python: str = sys.executable) -> CardReport:
    """Every failure of the cards in `directory`, each naming the card and the field."""
    return asyncio.run(check_cards_async(directory, python))


async def check_cards_async(directory: Path, python: str = sys.executable) -> CardReport:
    """check_cards, for a caller that has an event loop."""
    report = CardReport()
    try:
        cards = load_cards(directory, strict=True)
    except ContentError as exc:
        report.failures.extend(exc.problems)
        return report
    report.failures += [
        f"{directory.name}: no card for {name}" for name in CARD_NAMES if name not in cards.cards
    ]
    report.cards_checked = len(cards.cards)
    specs: dict[tuple[str, str], RunSpec] = {}
    for name, card in cards.cards.items():
        for label, example in card.examples.items():
            try:
                specs[name, label] = parse_run(example.run)
            except RunError as exc:
                report.failures.append(f"{_where(cards, name, label + '.run')}: {exc}")
    try:
        signatures, results = await asyncio.gather(
            torch_signatures(list(cards.cards), python), run_all(specs)
        )
    except CheckError as exc:
        report.failures.append(f"cannot check the cards with torch: {exc}")
        return report
    report.torch_version = str(signatures.get("torch", "?"))
    report.runs = len(results)
    for name, card in cards.cards.items():
        torch_params = signatures["classes"][name]
        for where, message in parameter_problems(card, torch_params):
            report.failures.append(f"{_where(cards, name, where)}: {message}")
        report.parameters_checked += len(card.parameters)
        for label, example in card.examples.items():
            if (name, label) not in results:
                continue  # it did not parse: said above
            spec, result = specs[name, label], results[name, label]
            for message in example_problems(example, spec, result):
                report.failures.append(f"{_where(cards, name, label)}: {message}")
            report.facts_checked += len(example.facts)
    return report


def _where(cards: CardLibrary, name: str, where: str) -> str:
    return f"{cards.sources[name].name}: {name}: {where}"


class CheckError(Exception):
    """torch could not be asked at all (no worker, no signatures): not one card's fault."""


async def torch_signatures(names: list[str], python: str) -> dict[str, Any]:
    """torch's version and each class's parameters, from a process that imports torch."""
    process = await asyncio.create_subprocess_exec(
        python,
        "-m",
        "bot.content.torch_signatures",
        *names,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), SIGNATURES_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise CheckError("reading torch's signatures took too long") from None
    if process.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no error output"]
        raise CheckError(f"reading torch's signatures failed: {tail[0]}")
    data: dict[str, Any] = json.loads(out)
    return data


async def run_all(specs: dict[tuple[str, str], RunSpec]) -> dict[tuple[str, str], RunResult]:
    """Each spec computed by one runner worker, one after the other (each takes ~1 ms)."""
    from bot.runner import RunnerPool, RunnerStartError

    try:
        async with RunnerPool(size=1, plot=False, job_timeout=RUN_TIMEOUT) as pool:
            return {key: await pool.run(spec) for key, spec in specs.items()}
    except (RunnerStartError, RunError) as exc:
        raise CheckError(f"the runner failed: {exc}") from exc


def parameter_problems(card: Card, torch_params: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(field, what is wrong) for each way the card's parameters differ from torch's."""
    params = list(torch_params)
    if params and params[0]["name"] == "optimizer" and params[0]["required"]:
        params = params[1:]  # every scheduler's first argument; no card needs to list it
    theirs = {p["name"]: p for p in params}
    problems: list[tuple[str, str]] = []
    for name in card.skipped:
        if name not in theirs:
            problems.append(
                (f"skipped.{name}", f"torch's {card.scheduler} has no parameter {name}")
            )
    for param in card.parameters:
        if param.name not in theirs:
            problems.append(
                (
                    f"parameters.{param.name}",
                    f"torch's {card.scheduler} has no parameter {param.name}",
                )
            )
        elif message := default_problem(param, theirs[param.name]):
            problems.append((f"parameters.{param.name}", message))
    listed = [p.name for p in card.parameters]
    for name in theirs:
        if name not in listed and name not in card.skipped:
            problems.append(
                ("parameters", f"{name} is missing: list it, or give the reason under `skipped:`")
            )
    in_torch_order = [name for name in theirs if name in listed]
    if [name for name in listed if name in theirs] != in_torch_order:
        problems.append(("parameters", f"list them in torch's order: {', '.join(in_torch_order)}"))
    return problems


def default_problem(param: CardParam, theirs: dict[str, Any]) -> str | None:
    """What is wrong with a card's default for torch's parameter `theirs`, or None."""
    if theirs["required"]:
        return (
            None
            if param.required
            else f"torch requires it; the card gives a default, {param.shown_default()}"
        )
    if param.required:
        return f"the card says it is required; torch's default is {_torch_default(theirs)}"
    if "default" not in theirs:
        return f"torch's default is {theirs['default_repr']}, which a card cannot state"
    if not same_default(param.default, theirs["default"]):
        return f"the card says {param.shown_default()}; torch's default is {_torch_default(theirs)}"
    return None


def same_default(ours: object, theirs: object) -> bool:
    """Whether a card's default is torch's: numbers may be written `1/3` or `1e-08`."""
    if theirs is None or isinstance(theirs, bool):
        return ours is theirs
    if isinstance(theirs, int | float):
        if isinstance(ours, bool):
            return False
        value = float(ours) if isinstance(ours, int | float) else number(str(ours))
        return value is not None and math.isclose(value, theirs, rel_tol=1e-12, abs_tol=1e-15)
    return ours == theirs


def _torch_default(theirs: dict[str, Any]) -> str:
    return repr(theirs["default"]) if "default" in theirs else str(theirs["default_repr"])


def example_problems(example: Example, spec: RunSpec, result: RunResult) -> list[str]:
    """What torch did differently from what the example says (or that it failed or warned)."""
    if result.error:
        return [f"torch stopped with an error: {result.error}"]
    problems = [f"torch warned: {warning}" for warning in result.warnings]
    for fact in example.facts:
        actual = fact_value(fact, result)
        if actual is None:
            problems.append(
                f"{{{fact.label}}}: there is no such value in a run of {spec.steps} steps"
            )
        elif fact.what == "peak":
            if number(fact.written) != actual:
                problems.append(f"{{{fact.label}}}: the rate is highest at step {actual:g}")
        elif not matches(fact.written, actual):
            problems.append(f"{{{fact.label}}}: torch gives {format_number(actual)}")
    return problems


def fact_value(fact: Fact, result: RunResult) -> float | None:
    """The value of the run that `fact` is about; None if the run has no such value."""
    rates = (result.initial[0], *result.lrs)
    if fact.what == "lr":
        assert fact.step is not None
        return rates[fact.step] if fact.step < len(rates) else None
    if fact.what == "momentum":
        assert fact.step is not None
        momentum = result.momentum[0] if result.momentum else ()
        return momentum[fact.step - 1] if 1 <= fact.step <= len(momentum) else None
    if fact.what == "max":
        return max(rates)
    if fact.what == "min":
        return min(rates)
    return float(rates.index(max(rates)))  # peak
