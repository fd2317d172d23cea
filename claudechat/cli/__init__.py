"""The command line: thin typer commands that parse options and call one function.

app.py holds the app and the shared options; root.py the chat (and options given
before a subcommand), ask.py, history.py and completion.py their commands (suggest.py:
what shell completion offers for values); main.py the entry point, the only place
errors become exit codes.
"""

# isort: off
from claudechat.cli import root, ask, history, models, config, completion  # noqa: F401 (registers them, in --help's order)
# isort: on
from claudechat.cli.app import app
from claudechat.cli.main import main

__all__ = ["app", "main"]
