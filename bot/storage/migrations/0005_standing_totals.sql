-- Schema 5: standings kept with every attempt, so a leaderboard, a rank or a profile costs
-- the same however many attempts a guild has (bot/storage/_totals.py keeps them; `anneal
-- db check` compares them with a recomputation from the attempts).
--
-- period 'all': since = 0; 'week': since = the ISO week's Monday 00:00 UTC; 'reset':
-- since = the guild's weekly reset, up to the end of that week. No foreign keys: these
-- rows are derived from attempts (which have them) and are rebuilt, never edited.
CREATE TABLE standing_totals (
    guild_id  INTEGER NOT NULL,
    period    TEXT NOT NULL CHECK (period IN ('all', 'week', 'reset')),
    since     REAL NOT NULL,
    user_id   INTEGER NOT NULL,
    points    INTEGER NOT NULL,
    answered  INTEGER NOT NULL,
    correct   INTEGER NOT NULL,
    scored_at REAL,
    PRIMARY KEY (guild_id, period, since, user_id)
) WITHOUT ROWID;

-- The board order (points, then who reached them first, players who never scored last,
-- then user id), so a top 10 reads ten index entries and a rank counts those ahead.
CREATE INDEX standing_totals_by_rank
    ON standing_totals (guild_id, period, since, points DESC, scored_at IS NULL, scored_at, user_id);

-- The UTC days (days since 1970-01-01) on which a player answered in a guild: day streaks.
CREATE TABLE active_days (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    day      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, day)
) WITHOUT ROWID;

-- The profile no longer scans a player's attempts by time; rebuilding a guild's totals
-- after a weekly reset reads the attempts answered since then.
DROP INDEX attempts_by_user_time;
CREATE INDEX attempts_by_time ON attempts (answered_at);

-- Totals for the attempts already stored. anneal_week_start and anneal_day are
-- registered by the connection (bot/storage/_connection.py).
INSERT INTO standing_totals (guild_id, period, since, user_id, points, answered, correct, scored_at)
WITH located AS (
    SELECT s.guild_id, a.session_id, a.user_id, a.problem_id, a.points, a.correct,
           a.answered_at, g.week_reset_at AS reset_at
    FROM attempts AS a
    JOIN sessions AS s ON s.id = a.session_id
    LEFT JOIN guild_settings AS g ON g.guild_id = s.guild_id
),
in_period AS (
    SELECT guild_id, 'all' AS period, 0.0 AS since, session_id, user_id, problem_id,
           points, correct, answered_at
    FROM located
    UNION ALL
    SELECT guild_id, 'week', anneal_week_start(answered_at), session_id, user_id,
           problem_id, points, correct, answered_at
    FROM located
    UNION ALL
    SELECT guild_id, 'reset', reset_at, session_id, user_id, problem_id, points, correct,
           answered_at
    FROM located
    WHERE reset_at IS NOT NULL
      AND answered_at >= reset_at
      AND answered_at < anneal_week_start(reset_at) + 604800
),
per_problem AS (
    SELECT guild_id, period, since, user_id,
           SUM(points) AS points,
           MAX(correct) AS correct,
           MAX(CASE WHEN points > 0 THEN answered_at END) AS scored_at
    FROM in_period
    GROUP BY guild_id, period, since, session_id, user_id, problem_id
)
SELECT guild_id, period, since, user_id,
       SUM(points), COUNT(*), SUM(correct), MAX(scored_at)
FROM per_problem
GROUP BY guild_id, period, since, user_id;

INSERT INTO active_days (guild_id, user_id, day)
SELECT DISTINCT s.guild_id, a.user_id, anneal_day(a.answered_at)
FROM attempts AS a
JOIN sessions AS s ON s.id = a.session_id;
