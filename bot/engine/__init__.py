"""The rules of the game: problems, challenge sessions, scoring and badges.

Nothing here imports discord, sqlite or torch, so every rule is tested as plain Python.
"""
