-- Schema 7: spaced review of misses (bot/engine/review.py has the rules).
--
-- A wrong answer anywhere (challenge, practice, daily, race, review, the terminal) puts
-- the problem in its player's queue in the transaction that stores the attempt
-- (bot/storage/_reviews.py); a review's first attempt moves it. due_at is computed from
-- the review steps the Database was opened with, when the entry moves: changing
-- ANNEAL_REVIEW_STEPS reschedules an entry at its next move, not before.
CREATE TABLE review_queue (
    user_id      INTEGER NOT NULL REFERENCES users (id),
    problem_id   TEXT NOT NULL,
    -- The pack it was missed in, to find a shipped problem again by id.
    pack_id      TEXT NOT NULL,
    -- The problem itself (Problem JSON) when its session's pack was kept (session_packs:
    -- generated packs), since a generated problem is in no pack file; else NULL.
    problem_json TEXT,
    step         INTEGER NOT NULL CHECK (step >= 0),
    -- NULL once graduated (right at the last step): out of the queue until missed again.
    due_at       REAL,
    graduated_at REAL,
    entered_at   REAL NOT NULL,
    moved_at     REAL NOT NULL,
    last_result  TEXT NOT NULL CHECK (last_result IN ('wrong', 'right')),
    misses       INTEGER NOT NULL CHECK (misses >= 1),
    reviews      INTEGER NOT NULL DEFAULT 0 CHECK (reviews >= 0),
    PRIMARY KEY (user_id, problem_id),
    CHECK ((due_at IS NULL) = (graduated_at IS NOT NULL))
);

-- A player's due problems in order; the reminder check's "anything due?".
CREATE INDEX review_queue_by_due ON review_queue (user_id, due_at);

-- Who asked for a daily DM when something is due. last_reminded_day (days since
-- 1970-01-01, UTC) is claimed with a conditional UPDATE before sending, so a restart or a
-- second process never sends twice the same day. dms_closed_at: a reminder could not be
-- delivered (DMs closed), so reminders stopped; the player is told at their next !review.
CREATE TABLE review_reminders (
    user_id           INTEGER PRIMARY KEY REFERENCES users (id),
    enabled           INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    last_reminded_day INTEGER NOT NULL DEFAULT -1,
    dms_closed_at     REAL
);
