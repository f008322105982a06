"""Problems, packs and badges: the content of a challenge, as validated domain types."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

LETTERS: tuple[str, ...] = ("A", "B", "C", "D")
Letter = Literal["A", "B", "C", "D"]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# torch class names: a name must look like one; that it exists in torch is checked by
# `anneal content check`, which is the only place allowed to import torch.
SchedulerName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z]+$")]


class Kind(StrEnum):
    """What a problem asks of the player; each kind has its own label."""

    CONCEPTUAL = "conceptual"
    PREDICT_OUTPUT = "predict_output"
    MODEL_CHOICE = "model_choice"
    METRICS = "metrics"
    DEBUG = "debug"

    @property
    def label(self) -> str:
        """The kind as players see it, with its emoji."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    Kind.CONCEPTUAL: "🧠 Conceptual",
    Kind.PREDICT_OUTPUT: "🔮 Predict the output",
    Kind.MODEL_CHOICE: "🧭 Model choice",
    Kind.METRICS: "📈 Metrics",
    Kind.DEBUG: "🔧 Debug",
}


class Level(StrEnum):
    """How hard a problem is, from beginner to expert."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    EXPERT = "expert"


class _Frozen(BaseModel):
    """Immutable models that refuse unknown fields (a typo in YAML is an error)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class RunRecipe(_Frozen):
    """What `!run <problem-id>` executes, and which parameters a user may change.

    `expression` is written in the `!run` language, e.g. `StepLR(step_size=2, gamma=0.5)`.
    """

    expression: Text
    lr: float | list[float] = 0.1
    steps: int = Field(default=10, ge=1, le=10_000)
    optimizer: Literal["SGD", "Adam", "AdamW", "RMSprop"] = "SGD"
    metrics: list[float] | None = None
    vary: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]] = []

    @model_validator(mode="after")
    def _vary_names_appear_in_expression(self) -> Self:
        for name in self.vary:
            if name not in {"lr", "steps"} and not re.search(rf"\b{name}\s*=", self.expression):
                raise ValueError(f"vary names {name!r}, which the expression does not set")
        return self


class Expectation(_Frozen):
    """What running a problem's `code` must show, so claims in the text are checked by torch.

    Used by debug and practice problems whose snippet shows a bug: the explanation says
    "torch warns ..." or "the rate jumps back to 0.1", and `anneal content check` verifies it.
    """

    prints: list[Text] = []  # each must be a whole line of the output
    warns: list[Text] = []  # each must appear in a warning torch emitted
    raises: Text | None = None  # the snippet must fail with an error containing this

    @model_validator(mode="after")
    def _says_something(self) -> Self:
        if not (self.prints or self.warns or self.raises):
            raise ValueError("expect needs at least one of prints, warns, raises")
        return self


class Problem(_Frozen):
    """One multiple-choice problem: prompt, options, answer, hint and explanations."""

    id: Slug
    kind: Kind
    level: Level
    schedulers: list[SchedulerName] = Field(min_length=1)  # every scheduler it mentions
    # The one or two schedulers the problem teaches (a subset of `schedulers`); those that
    # only appear as options stay out, so coverage counts what is taught.
    subject: list[SchedulerName] = Field(min_length=1, max_length=2)
    time_limit: int = Field(ge=10, le=1800, description="seconds")
    attempts: int = Field(default=2, ge=1, le=4)
    title: Text
    prompt: Text
    code: str | None = None
    options: dict[Letter, Text]
    answer: Letter
    hint: Text
    explanation: Text
    why_not: dict[Letter, Text]
    run: RunRecipe | None = None
    expect: Expectation | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        letters = sorted(self.options)
        if letters != list(LETTERS[: len(letters)]) or len(letters) < 2:
            raise ValueError(f"options must be lettered A, B, ... in order; got {letters}")
        if self.answer not in self.options:
            raise ValueError(f"answer {self.answer} is not one of the options {letters}")
        wrong = set(self.options) - {self.answer}
        if missing := sorted(wrong - set(self.why_not)):
            raise ValueError(f"why_not is missing for wrong option(s) {', '.join(missing)}")
        if extra := sorted(set(self.why_not) - wrong):
            raise ValueError(f"why_not names option(s) {', '.join(extra)}, which are not wrong")
        if self.kind is Kind.PREDICT_OUTPUT and not (self.code and self.code.strip()):
            raise ValueError("a predict_output problem needs `code`")
        if self.expect is not None and not self.code:
            raise ValueError("`expect` describes what `code` shows, so it needs `code`")
        if stray := sorted(set(self.subject) - set(self.schedulers)):
            raise ValueError(f"subject names {', '.join(stray)}, which `schedulers` lacks")
        if len(set(self.options.values())) != len(self.options):
            raise ValueError("two options have the same text")
        return self

    @property
    def letters(self) -> tuple[Letter, ...]:
        """The option letters in order (A, B, ...)."""
        return tuple(sorted(self.options))

    def option_letter(self, text: str) -> Letter | None:
        """The option a player means by `text` ("b", " B "), or None if it is no option."""
        wanted = text.strip().upper()
        return next((letter for letter in self.options if letter == wanted), None)


class BadgeRule(StrEnum):
    """What earns a pack's badge: every problem right, every one first try, or N right."""

    ALL_CORRECT = "all_correct"
    ALL_FIRST_TRY = "all_first_try"
    MIN_CORRECT = "min_correct"


class Badge(_Frozen):
    """The badge a pack awards, and the rule that earns it."""

    name: Text
    emoji: Text
    rule: BadgeRule = BadgeRule.ALL_CORRECT
    threshold: int | None = Field(default=None, ge=1)
    description: str = ""

    @model_validator(mode="after")
    def _threshold_only_for_min_correct(self) -> Self:
        if (self.rule is BadgeRule.MIN_CORRECT) != (self.threshold is not None):
            raise ValueError("`threshold` is required with rule min_correct, and only there")
        return self


class Pack(_Frozen):
    """An ordered set of problems played as one challenge, with the badge it can award."""

    id: Slug
    title: Text
    description: Text
    badge: Badge
    problems: list[Problem] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_problem_ids(self) -> Self:
        seen: set[str] = set()
        for problem in self.problems:
            if problem.id in seen:
                raise ValueError(f"problem id {problem.id!r} appears twice in pack {self.id!r}")
            seen.add(problem.id)
        if self.badge.threshold is not None and self.badge.threshold > len(self.problems):
            raise ValueError("badge threshold exceeds the number of problems")
        return self

    def problem(self, problem_id: str) -> Problem:
        """The pack's problem with this id (KeyError if none)."""
        for problem in self.problems:
            if problem.id == problem_id:
                return problem
        raise KeyError(problem_id)
