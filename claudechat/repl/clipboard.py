"""The clipboard: an image from it (/paste, Ctrl-V), text onto it (/copy).

A clipboard program that fails, cannot be run or hangs (5 s) counts as not there."""

from __future__ import annotations

import base64
import shutil
import subprocess
from typing import Any

from claudechat import attachments
from claudechat.environment import isatty
from claudechat.errors import UsageError

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


def copy_to_clipboard(text: str, terminal: Any) -> str:
    """The terminal's clipboard escape (OSC 52: works over ssh, where the terminal
    supports it), and a local clipboard program when there is one. Returns what was used."""
    used = []
    if isatty(terminal):
        terminal.write(f"\x1b]52;c;{base64.b64encode(text.encode()).decode('ascii')}\x07")
        terminal.flush()
        used.append("OSC 52")
    for cmd in COPY_TOOLS:
        if shutil.which(cmd[0]):
            try:
                done = subprocess.run(cmd, input=text.encode(), check=False, timeout=5,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except (OSError, subprocess.SubprocessError):
                continue  # cannot be run, or hangs: as if it had failed
            if done.returncode == 0:
                used.append(cmd[0])
                break
    if not used:
        raise UsageError("no clipboard: not a terminal, and no wl-copy, xclip or pbcopy")
    return " and ".join(used)
