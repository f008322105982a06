"""The surface cues a test-wise player could use to find a key without reading the problem.

Each `Rule` looks only at the options' surface (their letters, lengths, numbers, how alike
they are, the optimizer's start rate in the code) and picks an option, or abstains when its
cue does not single one out. `bot.content.audit` scores them; nothing here imports torch.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import fmean

from bot.engine.problems import Letter, Problem

# A rule's guess: the options it cannot tell apart (it takes one of them at random), or
# None when its cue does not apply to the problem.
Pick = Callable[[Problem], frozenset[Letter] | None]

# A number as options write it: 0.05, 1e-06, -3, 35190; not the 0 of T_0 or the 2 of x2.
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")  # 2,000 is one number
_FILLER = re.compile(r"[\s,;\[\]()]+")
_START_LR = re.compile(r"""(?:\blr\s*=\s*|["']lr["']\s*:\s*)(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)""")
_TOKEN = re.compile(r"[a-z_]+|\d+(?:\.\d+)?")
ABSOLUTES = frozenset(
    {"always", "never", "only", "must", "cannot", "can't", "none", "nothing", "every", "all"}
    | {"exactly", "whatever"}
)
_LETTERS: tuple[Letter, ...] = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Rule:
    """A guesser that reads only the options' surface; `pick` returns None to abstain."""

    name: str
    description: str
    pick: Pick


# ------------------------------------------------------------------ reading options


def option_numbers(problem: Problem) -> dict[Letter, tuple[float, ...]] | None:
    """Each option's numbers, when all options are one text with different numbers in it.

    "[0.1, 0.05]" and "[0.05, 0.025]", or "After 10, 20 and 40 calls" and "After 10, 30
    and 70 calls", qualify; "0.05 from the moment it is created" beside prose does not.
    """
    found = _numbers_of(tuple(problem.options.items()))
    return None if found is None else dict(found)


@functools.lru_cache(maxsize=4096)
def _numbers_of(
    options: tuple[tuple[Letter, str], ...],
) -> tuple[tuple[Letter, tuple[float, ...]], ...] | None:
    values: dict[Letter, tuple[float, ...]] = {}
    residues = set()
    for letter, text in options:
        plain = _THOUSANDS.sub("", text)
        numbers = tuple(float(n) for n in _NUMBER.findall(plain))
        if not numbers:
            return None
        values[letter] = numbers
        residues.add(_FILLER.sub("", _NUMBER.sub("", plain)).lower())
    return tuple(values.items()) if len(residues) == 1 else None


def start_rates(problem: Problem) -> set[float]:
    """The learning rates the problem's optimizer starts from (`lr=0.1`, `"lr": 0.01`)."""
    source = problem.code or problem.prompt
    return {float(value) for value in _START_LR.findall(source)}


def _tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(text.lower()))


# ------------------------------------------------------------------ rule builders


def _ranked(
    key: Callable[[Problem], Mapping[Letter, float] | None], rank: int, from_top: bool
) -> Pick:
    """The option at `rank` (0 = first) when sorted by `key`, with any it ties with there.

    Abstains when `key` does not apply, or when every option ties (no cue at all).
    """

    def pick(problem: Problem) -> frozenset[Letter] | None:
        values = key(problem)
        if values is None or rank >= len(values):
            return None
        ordered = sorted(values.values(), reverse=from_top)
        target = ordered[rank]
        tied = frozenset(k for k, v in values.items() if math.isclose(v, target, rel_tol=1e-9))
        return tied if len(tied) < len(values) or len(values) == 1 else None

    return pick


def _extreme(key: Callable[[Problem], Mapping[Letter, float] | None], highest: bool) -> Pick:
    return _ranked(key, 0, from_top=highest)


def _lengths(problem: Problem) -> dict[Letter, float]:
    return {letter: float(len(text.strip())) for letter, text in problem.options.items()}


def _words(problem: Problem) -> dict[Letter, float]:
    return {letter: float(len(text.split())) for letter, text in problem.options.items()}


def _final_value(problem: Problem) -> dict[Letter, float] | None:
    """The last number of each numeric option: the rate a list of rates ends on."""
    numbers = option_numbers(problem)
    return None if numbers is None else {k: v[-1] for k, v in numbers.items()}


def _sum_of_values(problem: Problem) -> dict[Letter, float] | None:
    """The sum of each option's numbers, for options that are lists of numbers."""
    numbers = option_numbers(problem)
    if numbers is None or all(len(v) == 1 for v in numbers.values()):
        return None
    return {k: math.fsum(v) for k, v in numbers.items()}


def _is_start_rate(value: float, rates: set[float]) -> bool:
    return any(math.isclose(value, rate, rel_tol=1e-9) for rate in rates)


def _start_rate_options(problem: Problem) -> frozenset[Letter] | None:
    """The numeric options equal to the optimizer's start rate, if any option is."""
    values, rates = _final_value(problem), start_rates(problem)
    if values is None or not rates:
        return None
    matches = frozenset(k for k, value in values.items() if _is_start_rate(value, rates))
    return matches or None


def _without_start_rate(problem: Problem) -> dict[Letter, float] | None:
    """The numeric options other than the start rate, when the start rate is one of them."""
    start = _start_rate_options(problem)
    values = _final_value(problem)
    if start is None or values is None:
        return None
    return {letter: value for letter, value in values.items() if letter not in start}


def _distance_to_start(problem: Problem) -> dict[Letter, float] | None:
    values, rates = _final_value(problem), start_rates(problem)
    if values is None or len(rates) != 1:
        return None
    (rate,) = rates
    return {k: abs(v - rate) for k, v in values.items() if not _is_start_rate(v, rates)}


def _distance_to_mean(problem: Problem) -> dict[Letter, float] | None:
    values = _final_value(problem)
    if values is None:
        return None
    centre = fmean(values.values())
    return {k: abs(v - centre) for k, v in values.items()}


def _mean_ratio(problem: Problem) -> dict[Letter, float]:
    """Each option's mean difflib ratio to the other options: how typical its text is."""
    return dict(_mean_ratio_of(tuple(problem.options.items())))


@functools.lru_cache(maxsize=4096)
def _mean_ratio_of(options: tuple[tuple[Letter, str], ...]) -> tuple[tuple[Letter, float], ...]:
    # difflib is the slow part of an audit; each pair is compared once, each problem once.
    ratios: dict[tuple[Letter, Letter], float] = {}
    for i, (a, text_a) in enumerate(options):
        for b, text_b in options[i + 1 :]:
            ratios[a, b] = ratios[b, a] = difflib.SequenceMatcher(None, text_a, text_b).ratio()
    return tuple((a, fmean(ratios[a, b] for b, _ in options if b != a)) for a, _ in options)


def _mean_overlap(problem: Problem) -> dict[Letter, float]:
    """Each option's mean word overlap (Jaccard) with the other options."""
    tokens = {letter: _tokens(text) for letter, text in problem.options.items()}

    def jaccard(a: set[str], b: set[str]) -> float:
        return len(a & b) / len(a | b) if a | b else 1.0

    return {
        letter: fmean(jaccard(mine, other) for key, other in tokens.items() if key != letter)
        for letter, mine in tokens.items()
    }


def _prompt_overlap(problem: Problem) -> dict[Letter, float]:
    """The share of each option's words that the title and prompt also use."""
    asked = _tokens(f"{problem.title} {problem.prompt}")
    return {
        letter: len(words & asked) / len(words) if (words := _tokens(text)) else 0.0
        for letter, text in problem.options.items()
    }


def _absolutes(problem: Problem) -> dict[Letter, float]:
    return {
        letter: float(sum(1 for word in text.lower().split() if word.strip(".,;:") in ABSOLUTES))
        for letter, text in problem.options.items()
    }


def _number_count(problem: Problem) -> dict[Letter, float] | None:
    if option_numbers(problem) is not None:
        return None  # counting numbers only means something for prose options
    return {
        letter: float(len(_NUMBER.findall(_THOUSANDS.sub("", text))))
        for letter, text in problem.options.items()
    }


# Marks whose presence in exactly one option (or absence from exactly one) singles it out.
_FORM_MARKS = ("digit", "`", "(", "=", ":", ";", '"', "'", "%", "\u00d7")


def _has_mark(text: str, mark: str) -> bool:
    return any(c.isdigit() for c in text) if mark == "digit" else mark in text


def _odd_form_out(problem: Problem) -> frozenset[Letter] | None:
    """The one option that alone has (or alone lacks) a mark such as a bracket or a digit."""
    if len(problem.options) < 3:
        return None  # with two options, "alone" says nothing
    for mark in _FORM_MARKS:
        marked = [letter for letter, text in problem.options.items() if _has_mark(text, mark)]
        unmarked = [letter for letter in problem.options if letter not in marked]
        for odd in (marked, unmarked):
            if len(odd) == 1:
                return frozenset(odd)
    return None


def _position(letter: Letter) -> Pick:
    return lambda problem: frozenset({letter}) if letter in problem.options else None


def _rules() -> tuple[Rule, ...]:
    by_value, by_sum = _final_value, _sum_of_values
    table: list[tuple[str, str, Pick]] = [
        *((f"always {x}", f"option {x}, whatever the problem", _position(x)) for x in _LETTERS),
        ("longest", "the option with the most characters", _ranked(_lengths, 0, True)),
        ("2nd-longest", "the second-longest option", _ranked(_lengths, 1, True)),
        ("2nd-shortest", "the second-shortest option", _ranked(_lengths, 1, False)),
        ("shortest", "the option with the fewest characters", _ranked(_lengths, 0, False)),
        ("most words", "the option with the most words", _extreme(_words, True)),
        ("fewest words", "the option with the fewest words", _extreme(_words, False)),
        ("smallest value", "the smallest number (a list's last)", _ranked(by_value, 0, False)),
        ("2nd-smallest value", "the second-smallest number", _ranked(by_value, 1, False)),
        ("2nd-largest value", "the second-largest number", _ranked(by_value, 1, True)),
        ("largest value", "the largest number (a list's last)", _ranked(by_value, 0, True)),
        ("smallest sum", "the list whose numbers add up least", _ranked(by_sum, 0, False)),
        ("2nd-smallest sum", "the list with the second-smallest sum", _ranked(by_sum, 1, False)),
        ("2nd-largest sum", "the list with the second-largest sum", _ranked(by_sum, 1, True)),
        ("largest sum", "the list whose numbers add up most", _ranked(by_sum, 0, True)),
        (
            "middle value",
            "the number nearest the options' mean",
            _extreme(_distance_to_mean, False),
        ),
        ("start rate", "the option equal to the optimizer's lr in the code", _start_rate_options),
        (
            "nearest the start rate",
            "closest to that lr without being it",
            _extreme(_distance_to_start, False),
        ),
        (
            "farthest from the start rate",
            "farthest from that lr",
            _extreme(_distance_to_start, True),
        ),
        (
            "smallest but the start rate",
            "drop the start rate, take the smallest",
            _ranked(_without_start_rate, 0, False),
        ),
        (
            "middle but the start rate",
            "drop the start rate, take the middle",
            _ranked(_without_start_rate, 1, False),
        ),
        (
            "largest but the start rate",
            "drop the start rate, take the largest",
            _ranked(_without_start_rate, 0, True),
        ),
        (
            "most alike (difflib)",
            "highest mean difflib ratio to the others",
            _extreme(_mean_ratio, True),
        ),
        (
            "least alike (difflib)",
            "lowest mean difflib ratio to the others",
            _extreme(_mean_ratio, False),
        ),
        (
            "most shared words",
            "highest mean word overlap with the others",
            _extreme(_mean_overlap, True),
        ),
        (
            "fewest shared words",
            "lowest mean word overlap with the others",
            _extreme(_mean_overlap, False),
        ),
        (
            "echoes the prompt",
            "the option most of whose words the prompt uses",
            _extreme(_prompt_overlap, True),
        ),
        (
            "fewest absolutes",
            "fewest of always, never, only, must ...",
            _extreme(_absolutes, False),
        ),
        ("most absolutes", "most of always, never, only, must ...", _extreme(_absolutes, True)),
        (
            "most numbers",
            "among prose options, the one with most numbers",
            _extreme(_number_count, True),
        ),
        ("odd form out", "the one option with (or without) a digit, bracket...", _odd_form_out),
    ]
    return tuple(Rule(name, description, pick) for name, description, pick in table)


RULES: tuple[Rule, ...] = _rules()
