"""`python -m bot`: the same as the `anneal` command."""

import sys

from bot.cli import main

sys.exit(main())
