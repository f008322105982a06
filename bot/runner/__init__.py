"""`!run`: parse user text into a RunSpec, compute it with real torch in a worker, show it."""
