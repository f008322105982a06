-- Schema 2: per-guild settings, and the channels a guild allows challenges in.

CREATE TABLE guild_settings (
    guild_id      INTEGER PRIMARY KEY REFERENCES guilds (id),
    timer_scale   REAL NOT NULL DEFAULT 1.0 CHECK (timer_scale > 0),
    speed_bonus   INTEGER NOT NULL DEFAULT 0 CHECK (speed_bonus IN (0, 1)),
    week_reset_at REAL
);

-- No rows for a guild means every channel is allowed.
CREATE TABLE guild_allowed_channels (
    guild_id   INTEGER NOT NULL REFERENCES guild_settings (guild_id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);

-- Every guild has a settings row from now on; give the existing ones theirs.
INSERT INTO guild_settings (guild_id) SELECT id FROM guilds;
