"""`anneal content audit`: surface cues that find the answer key without reading the problem.

Each rule is a test-wise guesser: it looks only at the options' surface (their letters,
lengths, numbers, how alike they are, the optimizer's start rate in the code) and picks
one option, or abstains when its cue does not single one out. A rule that is right far
more often than chance on many problems is a cue players learn instead of schedulers, so
a group of problems fails when a rule is right on more than `GATE_RATE` of at least
`GATE_MIN` problems it tried. Everything here is pure: lists of Problem in, rates out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.content.cues import RULES, Rule, option_numbers, start_rates
from bot.engine.problems import Problem

__all__ = [
    "GATE_MIN",
    "GATE_RATE",
    "RULES",
    "GroupAudit",
    "Rule",
    "RuleScore",
    "audit_group",
    "audit_groups",
    "duplicates",
    "generated_groups",
    "option_numbers",
    "render",
    "score",
    "shipped_groups",
    "start_rates",
]

GATE_RATE = 0.40  # a rule right on more than this share of a group fails the audit
GATE_MIN = 20  # ... when it tried at least this many problems of the group


@dataclass(frozen=True)
class RuleScore:
    """How often one rule found the key in one group: `hits` right out of `tried`.

    A rule that cannot tell two options apart takes either with equal chance, so `hits`
    counts such a problem as half right (a third, ...): the rate a real guesser expects.
    """

    rule: Rule
    hits: float
    tried: int

    @property
    def rate(self) -> float:
        """The share of tried problems where the rule picked the key (0 when none tried)."""
        return self.hits / self.tried if self.tried else 0.0

    @property
    def gated(self) -> bool:
        """Whether the rule tried enough problems for its rate to count."""
        return self.tried >= GATE_MIN

    @property
    def fails(self) -> bool:
        """Whether this rule is a cue: above the gate rate on enough problems."""
        return self.gated and self.rate > GATE_RATE


@dataclass(frozen=True)
class GroupAudit:
    """Every rule's score on one group of problems (a pack, a kind, the generator...)."""

    name: str
    size: int
    scores: tuple[RuleScore, ...]

    @property
    def failures(self) -> list[RuleScore]:
        """The rules that predict the key in this group, worst first."""
        return sorted((s for s in self.scores if s.fails), key=lambda s: -s.rate)

    @property
    def worst(self) -> RuleScore | None:
        """The highest-scoring rule among those that tried at least half the group.

        A rule that applies to two problems and gets both right says nothing, so rules
        that tried few problems are shown only when no rule tried more.
        """
        tried = [s for s in self.scores if s.tried]
        enough = [s for s in tried if s.tried >= min(GATE_MIN, max(1, self.size // 2))]
        return max(enough or tried, key=lambda s: (s.rate, s.tried), default=None)


# ------------------------------------------------------------------ scoring


def score(rule: Rule, problems: Iterable[Problem]) -> RuleScore:
    """How often `rule` picks the key among the problems where it does not abstain."""
    hits, tried = 0.0, 0
    for problem in problems:
        guess = rule.pick(problem)
        if not guess:
            continue
        tried += 1
        if problem.answer in guess:
            hits += 1 / len(guess)
    return RuleScore(rule, hits, tried)


def audit_group(
    name: str, problems: Sequence[Problem], rules: Sequence[Rule] = RULES
) -> GroupAudit:
    """Every rule's score on one group of problems."""
    return GroupAudit(name, len(problems), tuple(score(rule, problems) for rule in rules))


def audit_groups(
    groups: Mapping[str, Sequence[Problem]], rules: Sequence[Rule] = RULES
) -> list[GroupAudit]:
    """Every group audited, in the order given."""
    return [audit_group(name, problems, rules) for name, problems in groups.items()]


def shipped_groups(packs: Mapping[str, Sequence[Problem]]) -> dict[str, list[Problem]]:
    """The groups the shipped content is audited in: each pack, all of them, each kind,
    and the problems with numeric and with prose options."""
    every = [problem for problems in packs.values() for problem in problems]
    groups: dict[str, list[Problem]] = {f"pack {pid}": list(ps) for pid, ps in packs.items()}
    groups["all packs"] = every
    for kind in dict.fromkeys(p.kind for p in every):
        groups[f"all packs: {kind.value}"] = [p for p in every if p.kind is kind]
    groups["all packs: numeric options"] = [p for p in every if option_numbers(p) is not None]
    groups["all packs: prose options"] = [p for p in every if option_numbers(p) is None]
    return groups


def generated_groups(problems: Sequence[Problem]) -> dict[str, list[Problem]]:
    """The groups generated problems are audited in: all of them, and each scheduler's."""
    groups: dict[str, list[Problem]] = {"generated": list(problems)}
    for name in sorted({p.schedulers[0] for p in problems}):
        groups[f"generated: {name}"] = [p for p in problems if p.schedulers[0] == name]
    return groups


def duplicates(problems: Iterable[Problem]) -> list[tuple[str, str]]:
    """Pairs of problem ids that show the same code and the same options."""
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    pairs = []
    for problem in problems:
        key = (problem.code or problem.prompt, tuple(sorted(problem.options.values())))
        if key in seen:
            pairs.append((seen[key], problem.id))
        else:
            seen[key] = problem.id
    return pairs


# ------------------------------------------------------------------ report


def render(audits: Sequence[GroupAudit], verbose: bool = False) -> str:
    """The table `anneal content audit` prints: each group's worst rule, then any failures."""
    lines = [
        f"Cue audit: {len(RULES)} rules that look at the options' surface, never at what the "
        "problem means. A group fails when a "
        f"rule is right on more than {GATE_RATE:.0%} of at least {GATE_MIN} problems it tried.",
        "",
        f"{'group':<34} {'problems':>8}  {'worst rule':<30} {'right':>9}",
    ]
    for group in audits:
        worst = group.worst
        if worst is None:
            lines.append(f"  {group.name:<32} {group.size:>8}  (no rule applies)")
            continue
        status = "FAIL" if group.failures else ("ok" if worst.gated else "too few to gate")
        lines.append(
            f"  {group.name:<32} {group.size:>8}  {worst.rule.name:<30} "
            f"{worst.hits:>5.1f}/{worst.tried:<3} {worst.rate:>4.0%}  {status}"
        )
        if verbose:
            for s in sorted(group.scores, key=lambda s: -s.rate):
                if s.tried:
                    lines.append(
                        f"      {s.rule.name:<30} {s.hits:>5.1f}/{s.tried:<3} {s.rate:>4.0%}"
                    )
    failing = [(g, s) for g in audits for s in g.failures]
    lines.append("")
    if failing:
        lines.append("Cues above the gate:")
        lines += [
            f"  {g.name}: {s.rule.name} ({s.rule.description}) is right on "
            f"{s.hits:.1f} of {s.tried} ({s.rate:.0%})"
            for g, s in failing
        ]
    else:
        lines.append(f"No rule is right on more than {GATE_RATE:.0%} of any group it can gate.")
    return "\n".join(lines)
