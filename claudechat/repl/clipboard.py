"""The clipboard: an image from it (/paste, Ctrl-V), text onto it (/copy).

For /paste, a clipboard program that fails, cannot be run or hangs (5 s) counts as not
there; for /copy, it is reported (Copied.failed): the text is not on the clipboard."""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any

from claudechat import attachments
from claudechat.environment import isatty
from claudechat.errors import UsageError
from claudechat.sanitize import sanitize

PASTE_TOOLS = (["wl-paste", "--no-newline", "--type", "image/png"],
               ["xclip", "-selection", "clipboard", "-t", "image/png", "-o"], ["pngpaste", "-"])
COPY_TOOLS = (["wl-copy"], ["xclip", "-selection", "clipboard"], ["pbcopy"])


def clipboard_image() -> bytes | None:
    """The PNG on the clipboard, from the first clipboard program that has one."""
    for cmd in PASTE_TOOLS:
        if shutil.which(cmd[0]):
            try:
                done = subprocess.run(cmd, capture_output=True, check=False, timeout=5)
            except (OSError, subprocess.SubprocessError):
                continue  # cannot be run, or hangs: as if it had failed
            if done.returncode == 0 and attachments.sniff_image(done.stdout):
                return done.stdout
    return None


@dataclass
class Copied:
    """What /copy did: the program that took the text (it exited 0), whether the terminal
    was sent it (OSC 52, which a terminal may ignore), and each program that failed."""

    program: str | None = None
    osc52: bool = False
    failed: list[tuple[str, str]] = field(default_factory=list)  # ("wl-copy", "exited with status 1")


def copy_to_clipboard(text: str, terminal: Any) -> Copied:
    """The terminal's clipboard escape (OSC 52: works over ssh, where the terminal
    supports it), and the first local clipboard program that succeeds."""
    copied = Copied()
    if isatty(terminal):
        terminal.write(f"\x1b]52;c;{base64.b64encode(text.encode()).decode('ascii')}\x07")
        terminal.flush()
        copied.osc52 = True
    for cmd in COPY_TOOLS:
        if shutil.which(cmd[0]):
            failure = _run_copy(cmd, text)
            if failure is None:
                copied.program = cmd[0]
                break
            copied.failed.append((cmd[0], failure))
    if not copied.osc52 and copied.program is None and not copied.failed:
        raise UsageError("no clipboard: not a terminal, and no wl-copy, xclip or pbcopy; install "
                         "one (wl-clipboard on Wayland, xclip on X11), or /save the conversation")
    return copied


def _run_copy(cmd: list[str], text: str) -> str | None:
    """None when `cmd` took the text (exit 0), else what went wrong, in a few words
    ("exited with status 1: Failed to connect to a Wayland server"). Its
    stderr goes to a file, not a pipe: xclip and wl-copy stay on in the background to
    serve the clipboard, and a pipe they hold open would be waited on."""
    with tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(cmd, input=text.encode(), check=False, timeout=5,
                                  stdout=subprocess.DEVNULL, stderr=errors)
        except subprocess.TimeoutExpired:
            return "did not finish in 5 s"
        except (OSError, subprocess.SubprocessError) as exc:
            return f"cannot be run ({getattr(exc, 'strerror', None) or exc})"
        if done.returncode == 0:
            return None
        errors.seek(0)
        said = " ".join(sanitize(errors.read(2000).decode("utf-8", "replace")).split())
    said = said if len(said) <= 160 else said[:159] + "…"
    return f"exited with status {done.returncode}" + (f": {said}" if said else "")
