"""The command line: thin typer commands that parse options and call one function.

app.py holds the app and the shared options; root.py the chat (and options given
before a subcommand), ask.py, history.py and completion.py their commands (suggest.py:
what shell completion offers for values); main.py the entry point, the only place
errors become exit codes. main() imports only the command it runs (`register`:
building every command's options costs time at each start); `register()` imports all.
"""

from claudechat.cli import root  # noqa: F401 (the root command: the chat, and options before a command)
from claudechat.cli.app import app
from claudechat.cli.main import main, register

__all__ = ["app", "main", "register"]
