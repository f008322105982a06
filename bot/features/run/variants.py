"""What a reveal suggests trying next: a problem's recipe as `!run` text, with one value changed.

Pure functions over a problem's run recipe and the runner's language; no Discord, no torch.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.engine.problems import Problem, RunRecipe
from bot.runner import MAX_STEPS, RunError, RunSpec, SchedulerSpec, parse_run


def recipe_text(recipe: RunRecipe) -> str:
    """The recipe as `!run` text: its expression followed by every run option."""
    parts = [recipe.expression, f"lr={recipe.lr!r}", f"steps={recipe.steps}"]
    parts.append(f"optimizer={recipe.optimizer}")
    if recipe.metrics is not None:
        parts.append(f"metrics={recipe.metrics!r}")
    return " ".join(parts)


def variant_hint(problem: Problem, prefix: str) -> str | None:
    """`Try variants: `!run <id> gamma=0.3` (you can change: ...)`, or None with no recipe.

    `prefix` is the bot's command prefix (`!`). The example changes one value the recipe
    allows, to a value the runner accepts.
    """
    recipe = problem.run
    if recipe is None:
        return None
    command = f"`{variant_command(problem, prefix + 'run')}`"
    if not recipe.vary:
        return f"Try it: {command}"
    return f"Try variants: {command} (you can change: {', '.join(recipe.vary)})"


def variant_command(problem: Problem, command: str) -> str:
    """`!run <id> name=value` with one changed value, or `!run <id>` when none can be made."""
    base = f"{command} {problem.id}"
    if problem.run is None:
        return base
    change = _example_change(problem.run)
    return f"{base} {change[0]}={change[1]}" if change else base


def _example_change(recipe: RunRecipe) -> tuple[str, str] | None:
    """One (name, new value) from `vary`: a rate-like float first, as those teach most."""
    try:
        spec = parse_run(recipe_text(recipe))
    except RunError:
        return None  # a broken recipe is `anneal content check`'s to report, not ours
    ranked = []
    for order, name in enumerate(recipe.vary):
        value = _current_value(spec, name)
        rank = _rank(value)
        if rank is not None and isinstance(value, int | float):
            ranked.append((rank, order, name, value))
    if not ranked:
        return None  # lists, lambdas and modes have no obvious "other" value
    _, _, name, value = min(ranked)
    return name, _changed(name, value)


def _rank(value: object) -> int | None:
    """0 for a fraction, 1 for a larger float, 2 for a count; None when we can't vary it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return 0 if 0 < value <= 1 else 1 if value > 1 else None
    if isinstance(value, int):
        return 2 if value >= 1 else None
    return None


def _changed(name: str, value: float) -> str:
    """A different value of the same kind: fractions shrink, counts and big floats double."""
    if isinstance(value, int):
        if name == "steps" and value * 2 > MAX_STEPS:
            return str(max(1, value // 2))
        return str(value * 2)
    # A fraction stays inside (0, 1], where factors and rates like gamma must be: 0.5 → 0.3.
    new = value * 2 if value > 1 else 0.5 if value == 1 else value * 0.6
    return repr(float(f"{new:.2g}"))


def _current_value(spec: RunSpec, name: str) -> object:
    """The recipe's value for `name`: a run option, or the first scheduler that sets it."""
    if name == "steps":
        return spec.steps
    if name == "lr":
        return spec.lr[0] if len(spec.lr) == 1 else None
    return _find_argument(spec.scheduler, name)


def _find_argument(scheduler: SchedulerSpec, name: str) -> object:
    if name in scheduler.kwargs:
        return scheduler.kwargs[name]
    for value in scheduler.kwargs.values():
        for item in _nested(value):
            found = _find_argument(item, name)
            if found is not None:
                return found
    return None


def _nested(value: object) -> Iterable[SchedulerSpec]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, SchedulerSpec)]
    return []
