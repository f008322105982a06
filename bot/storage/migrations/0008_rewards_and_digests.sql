-- Schema 8: role rewards (a role given for a badge, a points total or a day streak) and
-- the weekly digest (where it goes, and one claim row per server and week).

-- One rule per role; setting it again replaces it. kind 'badge' names the pack whose
-- badge earns it; 'points' and 'streak' a threshold.
CREATE TABLE role_rewards (
    guild_id        INTEGER NOT NULL REFERENCES guilds (id),
    role_id         INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('badge', 'points', 'streak')),
    pack_id         TEXT,
    threshold       INTEGER CHECK (threshold IS NULL OR threshold > 0),
    set_by          INTEGER NOT NULL,
    set_at          REAL NOT NULL,
    -- When the organiser was told a grant failed; NULL again once a grant succeeds, so
    -- each new trouble is told once.
    trouble_told_at REAL,
    PRIMARY KEY (guild_id, role_id),
    CHECK ((kind = 'badge') = (pack_id IS NOT NULL)),
    CHECK ((kind = 'badge') = (threshold IS NULL))
);

-- Who was given which role. The row is the claim, inserted before the Discord call, so
-- two processes never give (and announce) one role twice; granted_at is set once
-- Discord said yes, failure once it said no (the row may then be claimed again). Kept
-- when a reward is removed: a role given once is not given again.
CREATE TABLE role_grants (
    guild_id   INTEGER NOT NULL,
    role_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    claimed_at REAL NOT NULL,
    granted_at REAL,
    failure    TEXT,
    PRIMARY KEY (guild_id, user_id, role_id)
) WITHOUT ROWID;

CREATE TABLE digest_schedules (
    guild_id   INTEGER PRIMARY KEY REFERENCES guilds (id),
    channel_id INTEGER NOT NULL,
    set_by     INTEGER NOT NULL,
    set_at     REAL NOT NULL
);

-- One row per server and week (week_start: the Monday 00:00 UTC starting the week the
-- digest is about), inserted as the claim before posting; message_id is set once
-- posted. A row claimed but never posted (its process died) is claimed again later.
CREATE TABLE digest_posts (
    guild_id   INTEGER NOT NULL,
    week_start REAL NOT NULL,
    channel_id INTEGER NOT NULL,
    claimed_at REAL NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 1,
    message_id INTEGER,
    posted_at  REAL,
    failure    TEXT,
    PRIMARY KEY (guild_id, week_start)
);
