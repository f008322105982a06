"""What `!review` says: the queue when nothing is due, the reminder DM, the remind replies.

Pure functions of the engine's ReviewQueue (plain text: the replies are short, and a DM
reminder must read well in a notification).
"""

from __future__ import annotations

from bot.engine.review import ReviewQueue, ReviewSteps, format_interval

REMIND_CHOICES = ("on", "off")


class BadRemind(ValueError):
    """`!review remind` with something other than on or off; the message says what to type."""


def parse_remind(text: str | None, prefix: str) -> bool | None:
    """`remind on`/`on` → True, `remind off`/`off` → False, nothing → None (serve the review).

    The prefix command reads everything after `!review`; the slash command passes only
    its `remind` choice, so both spellings mean the same.
    """
    if text is None or not text.strip():
        return None
    words = text.lower().split()
    if words[0] == "remind":
        words = words[1:]
    if words == ["on"]:
        return True
    if words == ["off"]:
        return False
    raise BadRemind(
        f"`{prefix}review` serves what is due; `{prefix}review remind on` (or `off`) "
        "turns the daily reminder on (or off)."
    )


def _problems(count: int) -> str:
    return f"{count} problem{'' if count == 1 else 's'}"


def queue_status(queue: ReviewQueue, steps: ReviewSteps, prefix: str) -> str:
    """Nothing due: when the next one is, and how many are queued (or how the queue fills)."""
    if not queue.queued:
        return (
            "Nothing to review: your queue is empty. A problem you get wrong anywhere "
            f"(a challenge, practice, the terminal) comes back here "
            f"{format_interval(steps.intervals[0])} later, then at longer and longer gaps."
        )
    text = "Nothing due for review"
    if queue.next_due_at is not None:
        text += f"; next <t:{round(queue.next_due_at)}:R>"
    return f"{text}; {queue.queued} queued. Reminders: `{prefix}review remind on`."


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
        f"⚠️ I couldn't DM you your review reminder <t:{round(at)}:R>: your DMs are closed to "
        "me, so I turned reminders off. Allow direct messages from this server's members "
        f"(Privacy Settings), then `{prefix}review remind on`."
    )


def profile_line(queue: ReviewQueue) -> str | None:
    """`3 in review, 1 due` for `!profile`, or None with an empty queue."""
    if not queue.queued:
        return None
    return f"{queue.queued} in review, {len(queue.due)} due"
