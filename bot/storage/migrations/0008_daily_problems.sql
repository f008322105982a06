-- Schema 8: the daily problem (bot/storage/_daily.py; the rules in bot/engine/daily_*.py).
--
-- A server's schedule: one problem a day in a channel at a local time. `since`: when it
-- was last set or turned on; posting times before it are not caught up.
CREATE TABLE daily_schedules (
    guild_id   INTEGER PRIMARY KEY REFERENCES guilds (id),
    channel_id INTEGER NOT NULL,
    minute     INTEGER NOT NULL CHECK (minute >= 0 AND minute < 1440),  -- after local midnight
    timezone   TEXT NOT NULL,  -- an IANA name
    enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    since      REAL NOT NULL,
    set_by     INTEGER NOT NULL REFERENCES users (id)
);

-- One row per server and local day (days since 1970-01-01) with a daily problem. The row
-- is the claim: inserted BEFORE anything is posted, so of two processes (or a process and
-- its restart) only the one whose INSERT made the row posts that day. A claim whose
-- process died before posting (posted_at still NULL) is taken over once it is older than
-- the lease; its chosen problem (and session, if made) is kept. Guild 0 (the terminal)
-- has rows too: each local profile plays that day's problem in a session of its own.
-- The reveal is claimed the same way, on the same row.
CREATE TABLE daily_problems (
    guild_id          INTEGER NOT NULL REFERENCES guilds (id),
    day               INTEGER NOT NULL,
    claimed_by        TEXT NOT NULL,
    claimed_at        REAL NOT NULL,
    -- What was chosen, once it is (NULL until then): a shipped problem by pack and id, a
    -- generated one also as Problem JSON (it is in no pack file).
    pack_id           TEXT,
    problem_id        TEXT,
    kind              TEXT,
    subject           TEXT CHECK (subject IS NULL OR json_valid(subject)),
    problem_json      TEXT CHECK (problem_json IS NULL OR json_valid(problem_json)),
    posted_at         REAL,
    channel_id        INTEGER,  -- where it was posted (NULL in the terminal)
    message_id        INTEGER,
    reveal_claimed_by TEXT,
    reveal_claimed_at REAL,
    revealed_at       REAL,
    PRIMARY KEY (guild_id, day),
    CHECK ((problem_id IS NULL) = (pack_id IS NULL)),
    CHECK (posted_at IS NULL OR problem_id IS NOT NULL),
    CHECK ((reveal_claimed_by IS NULL) = (reveal_claimed_at IS NULL))
) WITHOUT ROWID;

-- The sessions that play a day's problem: one per server day in Discord, one per local
-- profile and day in the terminal. Streaks read the attempts through these.
CREATE TABLE daily_sessions (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    guild_id   INTEGER NOT NULL,
    day        INTEGER NOT NULL,
    FOREIGN KEY (guild_id, day) REFERENCES daily_problems (guild_id, day)
);

CREATE INDEX daily_sessions_by_day ON daily_sessions (guild_id, day);

-- Who solved each session's problem, without reading the attempts themselves: a streak
-- reads a server's every daily solve (only correct attempts are in it).
CREATE INDEX attempts_solved ON attempts (session_id, user_id) WHERE correct = 1;

-- A daily problem stays open all day in a channel where challenges run too: it no longer
-- holds the channel. At most one daily is open per channel, and one other session.
DROP INDEX sessions_one_open_per_channel;
CREATE UNIQUE INDEX sessions_one_open_per_channel
    ON sessions (channel_id) WHERE status = 'open' AND mode <> 'daily';
CREATE UNIQUE INDEX sessions_one_open_daily_per_channel
    ON sessions (channel_id) WHERE status = 'open' AND mode = 'daily';
