"""`!run` in Discord: requests, fairness limits, and the reply with its chart."""
