"""Writing a message in the user's editor ($VISUAL, $EDITOR): /edit and /edit-last."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from claudechat.errors import UsageError
from claudechat.repl import tty


def editor() -> str:
    return os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"


def edited(editor: str, start: str, suffix: str = ".md") -> str:
    """What the user wrote in `editor`, which opened on `start` in a file named *`suffix`
    (so the editor highlights it: Markdown for a message, JSON for a tool's input)."""
    try:
        argv = shlex.split(editor)
    except ValueError as exc:
        raise UsageError(f"VISUAL or EDITOR ({editor}) is not a command line ({exc}); "
                         f"fix it; nothing sent") from None
    with tempfile.NamedTemporaryFile("w+", suffix=suffix, delete=False, encoding="utf-8") as f:
        f.write(start)
        path = f.name
    try:
        try:
            with tty.with_("ICRNL"):  # the editor gets the terminal as the shell left it
                done = subprocess.run([*argv, path], check=False)
        except FileNotFoundError:
            raise UsageError(f"the editor ({editor}) was not found: set VISUAL or EDITOR to an "
                             f"editor that is installed; nothing sent") from None
        except OSError as exc:
            raise UsageError(f"the editor ({editor}) cannot be run ({exc.strerror}): set VISUAL "
                             f"or EDITOR to an editor that works; nothing sent") from None
        if done.returncode != 0:
            raise UsageError(f"the editor ({editor}) exited with status {done.returncode}; nothing sent")
        text = Path(path).read_text("utf-8")
    except UnicodeDecodeError:
        raise UsageError("the editor wrote something that is not UTF-8 text; nothing sent") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    if not text.strip():
        raise UsageError("the message is empty; nothing sent")
    return text
