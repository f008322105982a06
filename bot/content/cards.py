"""Learn cards: what one scheduler does, its rule, its parameters and a typical schedule.

A card is content (`content/cards/*.yaml`), checked against torch by `anneal content
check` (bot/content/card_check.py). Numbers a card states about its typical schedule are
written as facts, `{lr@30=0.001}`, shown as `0.001`: the check compares each one with the
runner's output, so a card can never say what torch does not do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.engine.problems import SchedulerName, Text
from bot.runner import SCHEDULER_NAMES

# The schedulers that have a card: the 15 of torch.optim.lr_scheduler and SWALR.
CARD_NAMES: tuple[str, ...] = tuple(sorted(SCHEDULER_NAMES, key=str.lower))
PITFALLS = 2
ParamName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Alias = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)]
Default = bool | int | float | str | None

# {lr@30=0.001}: the rate after 30 steps (0: before the first); {momentum@5=0.9}; the
# highest and lowest rate of the run, {max=0.1} and {min=0.004}; {peak=30}: the step
# where the rate is highest (the first, if it is reached twice).
FACT = re.compile(
    r"\{(?P<what>lr|momentum)@(?P<step>\d+)=(?P<value>[^{}\s]+)\}|"
    r"\{(?P<overall>max|min|peak)=(?P<whole>[^{}\s]+)\}"
)
BRACE = re.compile(r"[{}]")
CODE_SPAN = re.compile(r"`[^`]*`")
# A number with a decimal point, an exponent or a fraction bar: a rate, which must be a
# fact. Whole numbers (steps, epochs) may be written as they are.
RATE_LIKE = re.compile(r"(?<![\w.])\d*\.\d+(?:e-?\d+)?|(?<![\w.])\d+e-?\d+|(?<![\w.])\d+/\d+")
MIN_SIGNIFICANT = 3  # "0.001" claims 0.00100: a rounded rate still has 3 digits right


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class Fact:
    """One number a card states about a run, as written: `{lr@30=0.001}`."""

    what: str  # lr, momentum, max, min or peak (FACT allows no other)
    step: int | None  # for lr and momentum
    written: str

    @property
    def label(self) -> str:
        """The fact as the card writes it, without the braces."""
        at = f"@{self.step}" if self.step is not None else ""
        return f"{self.what}{at}={self.written}"


def facts_in(text: str) -> list[Fact]:
    """Every fact written in `text`, in order."""
    found = []
    for match in FACT.finditer(text):
        if match["what"]:
            found.append(Fact(match["what"], int(match["step"]), match["value"]))
        else:
            found.append(Fact(match["overall"], None, match["whole"]))
    return found


def shown(text: str) -> str:
    """`text` as readers see it: each fact replaced by its number."""
    return FACT.sub(lambda m: m["value"] or m["whole"], text)


def matches(written: str, actual: float) -> bool:
    """Whether a written rate is `actual`, rounded to what was written (3 digits at least)."""
    claimed = number(written)
    if claimed is None:
        return False
    if claimed == 0:
        return abs(actual) < 1e-12
    digits = max(MIN_SIGNIFICANT, significant_digits(written))
    return f"{actual:.{digits}g}" == f"{float(claimed):.{digits}g}"


def number(text: str) -> float | None:
    """A written number: `0.1`, `1e-08`, `1/3`; None if it is not one."""
    try:
        return float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError):
        return None


def significant_digits(written: str) -> int:
    """How many significant digits a written number has (`0.0100` has 3)."""
    try:
        return len(Decimal(written).as_tuple().digits)
    except InvalidOperation:  # a fraction like 1/3 claims the exact value
        return 12


def _text_problems(text: str) -> list[str]:
    """What is wrong with the facts of a text: stray braces, rates not written as facts."""
    bare = FACT.sub(" ", text)
    problems = []
    if BRACE.search(bare):
        problems.append(
            "a `{...}` that is not a fact; write {lr@N=V}, {momentum@N=V}, {max=V}, {min=V} or "
            "{peak=N}"
        )
    for rate in RATE_LIKE.findall(CODE_SPAN.sub(" ", bare)):
        problems.append(f"{rate} is stated bare: write it as a fact, e.g. {{lr@N={rate}}}")
    return problems


class CardParam(_Frozen):
    """One constructor argument: its name, torch's default (or required), what it does."""

    name: ParamName
    required: bool = False
    default: Default = None
    about: Text = Field(max_length=300)

    @model_validator(mode="after")
    def _required_or_default(self) -> Self:
        has_default = "default" in self.model_fields_set
        if self.required == has_default:
            raise ValueError("give either `required: true` or the `default:` torch uses")
        return self

    def shown_default(self) -> str:
        """The default as Python would write it (`0.1`, `1/3`, `'cos'`, `None`)."""
        value = self.default
        if isinstance(value, str) and number(value) is None:
            return repr(value)
        return str(value)


class Example(_Frozen):
    """A `!run` expression and what it shows, its numbers written as facts."""

    run: Text = Field(max_length=300)
    says: Text = Field(max_length=600)

    @model_validator(mode="after")
    def _facts_are_marked(self) -> Self:
        if problems := _text_problems(self.says):
            raise ValueError("says: " + "; ".join(problems))
        return self

    @property
    def facts(self) -> list[Fact]:
        """The numbers `says` states about the run."""
        return facts_in(self.says)


class Card(_Frozen):
    """One scheduler's learn card, as validated from its YAML file."""

    scheduler: SchedulerName
    aliases: list[Alias] = Field(default_factory=list, max_length=8)
    summary: Text = Field(max_length=200)
    rule: Text = Field(max_length=900)
    parameters: list[CardParam] = Field(min_length=1)
    # Parameters of torch's signature a card leaves out, each with the reason.
    skipped: dict[ParamName, Text] = Field(default_factory=dict)
    typical: Example
    pitfalls: list[Text] = Field(min_length=PITFALLS, max_length=PITFALLS)
    then: Example | None = None  # a variation to try next
    see_also: list[SchedulerName] = Field(default_factory=list, max_length=4)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.scheduler not in CARD_NAMES:
            raise ValueError(
                f"{self.scheduler} is not one of the schedulers: {', '.join(CARD_NAMES)}"
            )
        names = [p.name for p in self.parameters]
        if repeated := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"parameters listed twice: {', '.join(repeated)}")
        if both := sorted(set(names) & set(self.skipped)):
            raise ValueError(f"parameters both listed and skipped: {', '.join(both)}")
        if stray := sorted(set(self.see_also) - set(CARD_NAMES)):
            raise ValueError(f"see_also names {', '.join(stray)}, which has no card")
        for text in [self.summary, self.rule, *self.pitfalls, *(p.about for p in self.parameters)]:
            if BRACE.search(text):
                raise ValueError("facts ({lr@N=V}) belong in typical.says and then.says only")
        return self

    @property
    def examples(self) -> dict[str, Example]:
        """The card's runs by field name: `typical`, and `then` if it has one."""
        return {"typical": self.typical, **({"then": self.then} if self.then else {})}
