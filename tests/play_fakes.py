"""A scripted player for `anneal play`: lines typed on a fake clock, waits that run the time
out, signals and the end of input, with no terminal and no real waiting."""

from __future__ import annotations

import contextlib
import io
import signal
from collections.abc import Iterator
from dataclasses import dataclass

from bot.content import ContentLibrary
from bot.engine.problems import Pack
from bot.engine.race import RACE_SECONDS
from bot.play_start import PlayRequest, play_in_terminal
from bot.storage import Database, SessionMode, StoredSession
from bot.terminal import Interrupted
from tests.engine.conftest import FakeClock, make_pack, make_problem


@dataclass(frozen=True)
class Wait:
    """Type nothing: the read waits out all the time it was given."""


@dataclass(frozen=True)
class Signal:
    """A signal arrives while the game waits for a line (Ctrl-C by default)."""

    signum: int = signal.SIGINT


WAIT = Wait()
CTRL_C = Signal()
Step = str | Wait | Signal


class ScriptedReader:
    """Gives the game its lines one by one; the end of the script is the end of input.

    Each typed line takes `typing` seconds of the fake clock, so answers have times.
    """

    is_terminal = False

    def __init__(self, clock: FakeClock, *script: Step, typing: float = 1.0) -> None:
        self.clock = clock
        self.script = list(script)
        self.typing = typing
        self.waits: list[float | None] = []  # how long each read was allowed to wait
        self.signals_caught = False

    async def read_line(self, within: float | None) -> str | None:
        """The next step of the script, as LineReader.read_line would give it."""
        self.waits.append(within)
        if not self.script:
            raise EOFError
        step = self.script.pop(0)
        if isinstance(step, Wait):
            assert within is not None, "a read without a time limit would wait forever"
            self.clock.advance(within)
            return None
        if isinstance(step, Signal):
            raise Interrupted(step.signum)
        self.clock.advance(self.typing)
        return step

    @contextlib.contextmanager
    def stopped_by(self) -> Iterator[None]:
        """Notes that the game asked for the stop signals (a real reader installs them)."""
        self.signals_caught = True
        yield


def library_of(*packs: Pack) -> ContentLibrary:
    """A content library holding just these packs."""
    return ContentLibrary(packs={p.id: p for p in packs}, sources={})


class Terminal:
    """Plays `anneal play` as the profile `tester` against one database and fake clock."""

    def __init__(self, db: Database, clock: FakeClock, library: ContentLibrary) -> None:
        self.db = db
        self.clock = clock
        self.library = library
        self.reader = ScriptedReader(clock)
        self.generated: list[int | None] = []

    async def play(
        self,
        *script: Step,
        pack_id: str | None = "tiny",
        count: int | None = None,
        seed: int | None = None,
        mode: SessionMode = SessionMode.CHALLENGE,
        race_seconds: float = RACE_SECONDS,
    ) -> tuple[int, str]:
        """Run one `anneal play` with these lines typed; its exit code and what it printed."""
        out = io.StringIO()
        self.reader = ScriptedReader(self.clock, *script)
        wanted = PlayRequest(
            profile="tester",
            pack_id=pack_id,
            count=count,
            seed=seed,
            mode=mode,
            race_seconds=race_seconds,
        )
        code = await play_in_terminal(
            self.db, self.library, wanted, self.reader, out, self.clock, self.generate
        )
        return code, out.getvalue()

    async def generate(self, seed: int | None, count: int) -> Pack:
        """The `fresh` pack, made without torch: two problems."""
        self.generated.append(seed)
        pack = make_pack(make_problem("f1"), make_problem("f2", answer="A"))
        return pack.model_copy(update={"id": "fresh", "title": "Fresh problems"})

    async def open_game(self) -> StoredSession:
        """The tester's open session (the test fails if there is none)."""
        user = await self.db.local_user("tester")
        stored = await self.db.open_session_in_channel(user)
        assert stored is not None
        return stored
