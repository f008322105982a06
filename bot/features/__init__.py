"""The Discord edge, one package per feature; `bot.app` lists the features the bot loads.

Each package holds its cog (`cog.py`: commands and events), its rendering (`render.py`:
embeds and text) and its plain rules (tested without Discord), and an `async def
setup(bot)` that adds its cogs. `common/` holds what several features share. A cog turns
commands and events into calls on the engine, storage or runner, and their answers into
messages; no rules of the game live here.
"""
