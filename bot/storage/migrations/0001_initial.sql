-- Schema 1: guilds, users, local profiles, challenge sessions, attempts, hints, badges.
-- Times are unix seconds (REAL, UTC); booleans are INTEGER 0/1.
-- A shipped migration is never edited: change the schema with a new numbered file.

CREATE TABLE guilds (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    joined_at REAL NOT NULL
);

-- Guild 0 is the terminal: `anneal play` records its sessions here, in channel 0.
INSERT INTO guilds (id, name, joined_at) VALUES (0, 'Local (terminal)', 0);

-- Discord users keep their snowflake ids; local (terminal) profiles get negative ids.
CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    display_name TEXT NOT NULL
);

CREATE TABLE local_profiles (
    name    TEXT PRIMARY KEY COLLATE NOCASE,
    user_id INTEGER NOT NULL UNIQUE REFERENCES users (id) CHECK (user_id < 0)
);

-- One row per challenge run. The current problem's deadline lives here, not only in a
-- timer task, so a restarted bot can re-arm every open session.
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL REFERENCES guilds (id),
    channel_id    INTEGER NOT NULL,
    pack_id       TEXT NOT NULL,
    problem_ids   TEXT NOT NULL CHECK (json_array_length(problem_ids) > 0),
    current_index INTEGER NOT NULL DEFAULT 0
                  CHECK (current_index >= 0 AND current_index < json_array_length(problem_ids)),
    message_id    INTEGER,
    opened_at     REAL,
    deadline      REAL,
    status        TEXT NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'finished', 'stopped', 'expired')),
    started_by    INTEGER NOT NULL REFERENCES users (id),
    started_at    REAL NOT NULL,
    ended_at      REAL,
    CHECK ((status = 'open') = (ended_at IS NULL)),
    CHECK ((opened_at IS NULL) = (deadline IS NULL))
);

-- At most one running challenge per channel, even if two processes race to start one.
CREATE UNIQUE INDEX sessions_one_open_per_channel ON sessions (channel_id) WHERE status = 'open';

-- The unique key turns a reaction event delivered twice into an error instead of a
-- second attempt (and double points).
CREATE TABLE attempts (
    id             INTEGER PRIMARY KEY,
    session_id     INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    problem_id     TEXT NOT NULL,
    option         TEXT NOT NULL CHECK (option IN ('A', 'B', 'C', 'D')),
    correct        INTEGER NOT NULL CHECK (correct IN (0, 1)),
    attempt_number INTEGER NOT NULL CHECK (attempt_number >= 1),
    points         INTEGER NOT NULL DEFAULT 0,
    answered_at    REAL NOT NULL,
    UNIQUE (session_id, user_id, problem_id, attempt_number)
);

CREATE TABLE hints (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    problem_id TEXT NOT NULL,
    used_at    REAL NOT NULL,
    PRIMARY KEY (session_id, user_id, problem_id)
);

CREATE TABLE badges (
    guild_id   INTEGER NOT NULL REFERENCES guilds (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    badge      TEXT NOT NULL,
    pack_id    TEXT,
    awarded_at REAL NOT NULL,
    PRIMARY KEY (guild_id, user_id, badge)
);
