"""A server's standings and what can be earned: leaderboard, profile, badges, packs."""
