"""What `!review` says: the queue when nothing is due, the reminder DM, the remind replies,
and what the words after `!review` ask for.

Pure functions of the engine's ReviewQueue (plain text: the replies are short, and a DM
reminder must read well in a notification).
"""

from __future__ import annotations

from enum import Enum

from bot.challenges.solo import LiveSolo
from bot.engine.review import ReviewQueue, ReviewSteps


class Action(Enum):
    """What `!review ...` asks for: the due problems, reminders on or off, or to stop."""

    SERVE = ""
    REMIND_ON = "remind on"
    REMIND_OFF = "remind off"
    STOP = "stop"


# The slash command's `action` choices: the same words as after `!review`.
ACTION_CHOICES = {
    Action.REMIND_ON: "remind on: a DM once a day when something is due",
    Action.REMIND_OFF: "remind off: no more reminder DMs",
    Action.STOP: "stop: end the review running in your DMs",
}


class BadAction(ValueError):
    """`!review` with words it does not know; the message says what to type."""


def parse_action(text: str | None, prefix: str) -> Action:
    """The action the words after `!review` (or the slash `action` choice) name.

    Nothing is SERVE; case and extra spaces do not matter; `on`/`off` alone are read as
    `remind on`/`remind off`.
    """
    words = " ".join((text or "").lower().split())
    words = {"on": "remind on", "off": "remind off"}.get(words, words)
    for action in Action:
        if words == action.value:
            return action
    raise BadAction(
        f"`{prefix}review` serves what is due; `{prefix}review remind on` (or `off`) turns "
        f"the daily reminder on (or off); `{prefix}review stop` ends a review in your DMs."
    )


def _problems(count: int) -> str:
    return f"{count} problem{'' if count == 1 else 's'}"


def queue_status(
    queue: ReviewQueue, steps: ReviewSteps, prefix: str, *, reminding: bool = False
) -> str:
    """Nothing due: when the next one is, and how many are queued (or how the queue fills);
    how to get reminders, unless they are on."""
    if not queue.queued:
        return (
            "Nothing to review: your queue is empty. A problem you get wrong anywhere "
            f"(a challenge, practice, the terminal) comes back here "
            f"{spoken_interval(steps.intervals[0])} later, then at longer and longer gaps."
        )
    text = "Nothing due for review"
    if queue.next_due_at is not None:
        text += f"; next <t:{round(queue.next_due_at)}:R>"
    text += f"; {queue.queued} queued."
    if not reminding:
        text += f" A DM when something is due: `{prefix}review remind on`."
    return text


_UNIT_NAMES = (("day", 86_400.0), ("hour", 3_600.0), ("minute", 60.0))


def spoken_interval(seconds: float) -> str:
    """An interval in words, in the largest unit that divides it: `10 minutes`, `1 day`."""
    for name, size in _UNIT_NAMES:
        amount = seconds / size
        if amount >= 1 and amount == int(amount):
            return f"{int(amount)} {name}{'' if amount == 1 else 's'}"
    return f"{seconds:g} seconds"


def reminder_text(queue: ReviewQueue, prefix: str) -> str:
    """The daily reminder DM: how many are due, and how to review or stop the reminders."""
    due = len(queue.due)
    verb = "is" if due == 1 else "are"
    return (
        f"📚 {_problems(due)} you missed {verb} due for review. Send `{prefix}review` here "
        f"to go through {'it' if due == 1 else 'them'}.\n"
        f"-# One reminder a day at most; `{prefix}review remind off` stops them."
    )


def remind_reply(enabled: bool, queue: ReviewQueue, prefix: str) -> str:
    """What `!review remind on|off` answers."""
    if not enabled:
        return f"Review reminders are off. `{prefix}review remind on` turns them back on."
    due = len(queue.due)
    now = f" ({_problems(due)} due now: `{prefix}review`)" if due else ""
    return (
        "Review reminders are on: I'll DM you once a day when something is due for "
        f"review{now}. Keep your DMs open for me."
    )


def closed_dms_notice(at: float, prefix: str) -> str:
    """Told at the next `!review` after a reminder found the member's DMs closed."""
    return (
        f"⚠️ I couldn't DM you your review reminder <t:{round(at)}:R>: your DMs were closed "
        f"to me, so reminders are off. Once they are open, `{prefix}review remind on` turns "
        "them back on."
    )


def going_on(live: LiveSolo, prefix: str) -> str:
    """`!review` while a review runs: its current problem is posted again."""
    current = live.run.current
    where = f"problem {current.number}/{current.total}" if current else "your review"
    return (
        f"📬 **{live.title}** goes on in your DMs: {where} is posted there again. "
        f"`{prefix}review stop` ends it."
    )


def joined(notice: str | None, text: str) -> str:
    """A reply with the closed-DMs notice (if any) first."""
    return text if notice is None else f"{notice}\n{text}"


def profile_line(queue: ReviewQueue) -> str | None:
    """`3 in review, 1 due` for `!profile`, or None with an empty queue."""
    if not queue.queued:
        return None
    return f"{queue.queued} in review, {len(queue.due)} due"
