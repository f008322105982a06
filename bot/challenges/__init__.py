"""Live challenges across channels: the engine, storage and timers put together.

No discord import: the Discord edge implements `ChallengeView`, and tests drive the
manager with a fake view and clock.
"""

from bot.challenges.live import (
    AnswerNotSaved,
    ChallengeNotAllowedHere,
    ChallengeRunning,
    ChallengeView,
    DoubleTap,
    LiveChallenge,
    NoChallengeHere,
    NotYourChallenge,
    ProblemClosed,
    ReadBack,
    UnknownPack,
)
from bot.challenges.manager import ChallengeManager
from bot.challenges.race import RaceManager, RaceView

__all__ = [
    "AnswerNotSaved",
    "ChallengeManager",
    "ChallengeNotAllowedHere",
    "ChallengeRunning",
    "ChallengeView",
    "DoubleTap",
    "LiveChallenge",
    "NoChallengeHere",
    "NotYourChallenge",
    "ProblemClosed",
    "RaceManager",
    "RaceView",
    "ReadBack",
    "UnknownPack",
]
