-- Schema 6: every session has a mode. Challenges, daily problems and races count on the
-- server's leaderboard; practice and review (alone, in DMs or the terminal) are stored
-- the same way but never change a leaderboard (bot/storage/_totals.py reads the mode).
-- Sessions outside any server (the terminal, DMs) belong to guild 0.
ALTER TABLE sessions ADD COLUMN mode TEXT NOT NULL DEFAULT 'challenge'
    CHECK (mode IN ('challenge', 'practice', 'review', 'daily', 'race'));

CREATE INDEX sessions_by_mode ON sessions (mode, status);

-- Totals kept so far counted every session; they were all challenges, so nothing changes.
