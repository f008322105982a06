"""Tests for bot.challenges.solo: solo runs stored before they are shown, replaced, stopped,
and brought back after a restart (no Discord: a view that records, a temp database)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.challenges import AnswerNotSaved, ProblemClosed
from bot.challenges.solo import SOLO_IDLE, LiveSolo, SoloPlay, SoloSet
from bot.content import ContentLibrary
from bot.engine.problems import Pack
from bot.engine.solo import AlreadyAnswered, SoloProblem, SoloSummary, Verdict
from bot.storage import Database, SessionMode, SessionStatus, StorageError
from tests.engine.conftest import FakeClock, make_pack, make_problem

BOB, ADA = 2, 1
DM_BOB, DM_ADA = 902, 901
MESSAGE_IDS = itertools.count(5001)


@dataclass
class RecordingView:
    """What the runs showed, in order, as (what, detail) pairs; posts get message ids."""

    shown: list[tuple[str, object]] = field(default_factory=list)
    db: Database | None = None  # when set, each post records whether its answer was stored

    async def show_problem(self, live: LiveSolo, shown: SoloProblem) -> int:
        self.shown.append(("problem", shown.problem.id))
        return next(MESSAGE_IDS)

    async def show_verdict(self, live: LiveSolo, verdict: Verdict) -> None:
        stored = None
        if self.db is not None:
            stored = [a.problem_id for a in await self.db.attempts_for_session(live.session_id)]
        self.shown.append(("verdict", (verdict.problem.id, verdict.correct, stored)))

    async def show_summary(
        self, live: LiveSolo, summary: SoloSummary, status: SessionStatus
    ) -> None:
        self.shown.append(("summary", (summary.right, summary.answered, status)))

    async def show_notice(self, user_id: int, channel_id: int, text: str) -> None:
        self.shown.append(("notice", text))

    def kinds(self) -> list[str]:
        """What was shown, without the details."""
        return [what for what, _ in self.shown]


def steps_pack() -> Pack:
    """s1 (answer B), s2 (C), s3 (A)."""
    return make_pack(
        make_problem("s1", answer="B"),
        make_problem("s2", answer="C", hint="Look at C."),
        make_problem("s3", answer="A"),
    )


def library_of(*packs: Pack) -> ContentLibrary:
    """A library of these packs, as load_library would make it."""
    return ContentLibrary({p.id: p for p in packs}, {p.id: Path(f"{p.id}.yaml") for p in packs})


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database with Bob and Ada."""
    async with await Database.open(tmp_path / "solo.db") as database:
        await database.upsert_user(BOB, "bob")
        await database.upsert_user(ADA, "ada")
        yield database


@pytest.fixture
def view(db: Database) -> RecordingView:
    """A view that checks each verdict comes after its answer is stored."""
    return RecordingView(db=db)


def play_for(db: Database, view: RecordingView, clock: FakeClock, pack: Pack) -> SoloPlay:
    """SoloPlay over a library of `pack`, on `clock`."""
    return SoloPlay(db, library_of(pack), view, clock)


async def start(
    play: SoloPlay, problems: tuple[str, ...] = ("s1", "s2", "s3"), *, user: int = BOB
) -> LiveSolo:
    """Start a practice of these problems of the steps pack in the member's DM channel."""
    pack = steps_pack()
    chosen = SoloSet("StepLR", tuple(pack.problem(pid) for pid in problems))
    channel = DM_BOB if user == BOB else DM_ADA
    return await play.start(
        user_id=user, user_name="bob", channel_id=channel, chosen=chosen, mode=SessionMode.PRACTICE
    )


async def status_of(db: Database, session_id: int) -> SessionStatus:
    """How the stored session stands."""
    stored = await db.session(session_id)
    assert stored is not None
    return stored.status


def posted(live: LiveSolo) -> int:
    """The message id of the run's newest problem post."""
    return max(live.shown)


async def test_each_answer_is_stored_before_its_verdict_then_the_next_follows(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """Three answers: stored, then verdict, then the next problem, then the summary."""
    play = play_for(db, view, clock, steps_pack())
    live = await start(play)
    for letter in "BAA":
        await play.answer(message_id=posted(live), user_id=BOB, option=letter)
    assert view.shown == [
        ("problem", "s1"),
        ("verdict", ("s1", True, ["s1"])),
        ("problem", "s2"),
        ("verdict", ("s2", False, ["s1", "s2"])),
        ("problem", "s3"),
        ("verdict", ("s3", True, ["s1", "s2", "s3"])),
        ("summary", (2, 3, SessionStatus.FINISHED)),
    ]
    stored = await db.session(live.session_id)
    assert stored is not None
    assert (stored.status, stored.mode, stored.guild_id) == (
        SessionStatus.FINISHED,
        SessionMode.PRACTICE,
        0,
    )
    assert play.in_channel(DM_BOB) is None


async def test_a_second_reaction_on_an_answered_problem_does_not_count(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """One answer per problem: a later pick on problem 1's message is refused, unstored."""
    play = play_for(db, view, clock, steps_pack())
    live = await start(play)
    first = posted(live)
    await play.answer(message_id=first, user_id=BOB, option="A")
    with pytest.raises(AlreadyAnswered):
        await play.answer(message_id=first, user_id=BOB, option="B")
    assert [a.option for a in await db.attempts_for_session(live.session_id)] == ["A"]


async def test_an_answer_storage_refuses_is_not_counted(
    db: Database, view: RecordingView, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Storage giving up (busy, full): AnswerNotSaved, the run stays on problem 1, and the
    same pick counts once storage is back."""
    play = play_for(db, view, clock, steps_pack())
    live = await start(play)

    async def busy(*args: object, **kwargs: object) -> None:
        raise StorageError("database busy")

    with monkeypatch.context() as patched:
        patched.setattr(db, "save_attempt", busy)
        with pytest.raises(AnswerNotSaved):
            await play.answer(message_id=posted(live), user_id=BOB, option="B")
    assert live.run.current is not None
    assert live.run.current.number == 1
    assert view.kinds() == ["problem"]
    assert (await play.answer(message_id=posted(live), user_id=BOB, option="B")).correct


async def test_the_hint_is_stored_once(db: Database, view: RecordingView, clock: FakeClock) -> None:
    """💡 twice on problem 2: its hint both times, one hint row."""
    play = play_for(db, view, clock, steps_pack())
    live = await start(play)
    await play.answer(message_id=posted(live), user_id=BOB, option="B")
    assert await play.hint(message_id=posted(live), user_id=BOB) == "Look at C."
    assert await play.hint(message_id=posted(live), user_id=BOB) == "Look at C."
    assert [h.problem_id for h in await db.hints_for_session(live.session_id)] == ["s2"]


async def test_someone_else_cannot_answer_a_members_run(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """Ada's reaction on Bob's problem is refused."""
    play = play_for(db, view, clock, steps_pack())
    live = await start(play)
    with pytest.raises(ProblemClosed, match="someone else's"):
        await play.answer(message_id=posted(live), user_id=ADA, option="B")


async def test_a_new_run_replaces_the_open_one_and_keeps_its_answers(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """The old run is stopped (no summary), its answer kept; its messages take no more."""
    play = play_for(db, view, clock, steps_pack())
    old = await start(play)
    await play.answer(message_id=posted(old), user_id=BOB, option="B")
    new = await start(play, ("s3",))
    assert play.in_channel(DM_BOB) is new
    assert await status_of(db, old.session_id) is SessionStatus.STOPPED
    assert len(await db.attempts_for_session(old.session_id)) == 1
    assert "summary" not in view.kinds()
    with pytest.raises(ProblemClosed):
        await play.answer(message_id=posted(old), user_id=BOB, option="C")


async def test_stop_ends_the_run_with_its_summary(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """Stopped after one answer: a summary of 1/1, the session stopped."""
    play = play_for(db, view, clock, steps_pack())
    live = await start(play)
    await play.answer(message_id=posted(live), user_id=BOB, option="B")
    summary = await play.stop(DM_BOB)
    assert summary is not None
    assert (summary.right, summary.answered, summary.planned) == (1, 1, 3)
    assert view.shown[-1] == ("summary", (1, 1, SessionStatus.STOPPED))
    assert await play.stop(DM_BOB) is None


async def test_repost_shows_the_current_problem_again_and_both_posts_take_it(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """After a repost the answer on the older message still counts (same problem)."""
    play = play_for(db, view, clock, steps_pack())
    live = await start(play)
    older = posted(live)
    await play.repost(DM_BOB)
    assert view.kinds() == ["problem", "problem"]
    await play.answer(message_id=older, user_id=BOB, option="B")
    assert live.run.current is not None
    assert live.run.current.problem.id == "s2"


async def test_hooks_hear_of_every_answer_and_a_failing_one_loses_nothing(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """A mode's hook is told each stored answer; one that raises is logged, the run goes on."""
    play = play_for(db, view, clock, steps_pack())
    heard: list[str] = []

    async def note(live: LiveSolo, verdict: Verdict) -> None:
        heard.append(verdict.attempt.option)

    async def broken(live: LiveSolo, verdict: Verdict) -> None:
        raise RuntimeError("the review queue is down")

    play.after_answer.extend([broken, note])
    live = await start(play)
    await play.answer(message_id=posted(live), user_id=BOB, option="B")
    assert heard == ["B"]
    assert view.kinds() == ["problem", "verdict", "problem"]


async def test_a_restart_rearms_the_run_on_its_problem_message(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """A new SoloPlay (after a restart) takes the next answer on the same message."""
    live = await start(play_for(db, view, clock, steps_pack()))
    message = posted(live)
    again = RecordingView()
    restarted = play_for(db, again, clock, steps_pack())
    (found,) = await restarted.resume_all()
    assert found.message_id == message
    verdict = await restarted.answer(message_id=message, user_id=BOB, option="B")
    assert verdict.correct
    assert again.kinds() == ["verdict", "problem"]


async def test_a_crash_between_answer_and_next_problem_posts_the_next_one(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """The answer was stored but the bot died before moving on: after the restart the
    next problem is posted (with a notice), not the answered one again."""
    live = await start(play_for(db, view, clock, steps_pack()))
    verdict = live.run.judge("B")
    await db.save_attempt(live.session_id, verdict.attempt)  # ...and then the crash
    again = RecordingView()
    restarted = play_for(db, again, clock, steps_pack())
    assert await restarted.resume_all() == []
    assert again.shown[0][0] == "notice"
    assert again.shown[1] == ("problem", "s2")


async def test_a_run_finished_just_before_a_crash_gets_its_summary(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """The last answer was stored, the summary never shown: the restart shows it."""
    live = await start(play_for(db, view, clock, steps_pack()), ("s1",))
    await db.save_attempt(live.session_id, live.run.judge("A").attempt)
    again = RecordingView()
    await play_for(db, again, clock, steps_pack()).resume_all()
    assert again.shown == [("summary", (0, 1, SessionStatus.FINISHED))]


async def test_an_idle_run_is_let_go_at_a_restart(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """Untouched for longer than SOLO_IDLE: expired, silently, answers kept."""
    live = await start(play_for(db, view, clock, steps_pack()))
    clock.advance(SOLO_IDLE + 1)
    again = RecordingView()
    assert await play_for(db, again, clock, steps_pack()).resume_all() == []
    assert again.shown == []
    assert await status_of(db, live.session_id) is SessionStatus.EXPIRED


async def test_a_run_whose_problems_are_gone_ends_with_a_notice(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """The content changed while the bot was down: the member is told; the session stops."""
    live = await start(play_for(db, view, clock, steps_pack()))
    again = RecordingView()
    other = make_pack(make_problem("x1"))
    await play_for(db, again, clock, other).resume_all()
    assert again.kinds() == ["notice"]
    assert await status_of(db, live.session_id) is SessionStatus.STOPPED


async def test_generated_problems_are_kept_with_the_session(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """A run of problems in no shipped pack resumes from the pack saved with it."""
    fresh = make_pack(make_problem("gen-1", answer="D"))
    play = SoloPlay(db, library_of(steps_pack()), view, clock)
    chosen = SoloSet("fresh problems", tuple(fresh.problems), generated=fresh)
    live = await play.start(
        user_id=BOB, user_name="bob", channel_id=DM_BOB, chosen=chosen, mode=SessionMode.PRACTICE
    )
    restarted = play_for(db, RecordingView(), clock, steps_pack())
    (found,) = await restarted.resume_all()
    assert (await restarted.answer(message_id=found.message_id, user_id=BOB, option="D")).correct
    assert live.session_id == found.live.session_id


async def test_terminal_runs_and_challenges_are_not_rearmed(
    db: Database, view: RecordingView, clock: FakeClock
) -> None:
    """A local profile's practice (negative id) is the terminal's; a challenge the manager's."""
    local = await db.local_user("ada")
    await db.create_session(0, local, "steps", ["s1"], local, clock(), mode=SessionMode.PRACTICE)
    await db.upsert_guild(10, "Study group")
    await db.create_session(10, 20, "tiny", ["s1"], ADA, clock())
    assert await play_for(db, view, clock, steps_pack()).resume_all() == []
    assert view.shown == []
