-- Schema 3: indexes for the leaderboard (attempts of a guild's sessions) and the
-- profile (one user's attempts, by time).

CREATE INDEX sessions_by_guild ON sessions (guild_id);
CREATE INDEX attempts_by_user_time ON attempts (user_id, answered_at);
