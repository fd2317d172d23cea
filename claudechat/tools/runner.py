"""Running a tool: its command in a session of its own, the input JSON on stdin, stdout
the result (cut at the output limit, with a note), stderr kept for errors.

The tool runs in its own process group (start_new_session): a timeout, or Ctrl-C in the
chat (KeyboardInterrupt here), ends the whole group (SIGTERM, then SIGKILL), and so does
the end of every call, so no process the tool started outlives it.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claudechat.tools.specs import ToolSpec

DEFAULT_OUTPUT_LIMIT = 100_000  # bytes of stdout sent back
STDERR_LIMIT = 8_000  # bytes of stderr kept for an error result
GRACE = 0.5  # seconds between SIGTERM and SIGKILL


@dataclass
class Outcome:
    """What a run gave: the text sent back, whether it is an error, and what to say about it."""

    text: str
    is_error: bool = False
    summary: str = ""  # "exit 0 · 12 lines" / "timed out after 30 s" …
    cut: bool = False  # stdout was over the limit


def run(spec: ToolSpec, value: Any, *, limit: int = DEFAULT_OUTPUT_LIMIT) -> Outcome:
    """Run `spec` on the input `value`; never raises for the tool's own failures.
    KeyboardInterrupt ends the tool's process group and is an error result."""
    data = json.dumps(value, ensure_ascii=False).encode()
    cwd = str(Path(spec.cwd).expanduser()) if spec.cwd else None
    try:
        proc = subprocess.Popen(list(spec.command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=cwd, start_new_session=True)
    except OSError as exc:
        what = exc.strerror or str(exc)
        return Outcome(f"the tool could not be started: {spec.command[0]}: {what}", True,
                       f"could not start {spec.command[0]} ({what})")
    try:
        out, total, err, ended = _talk(proc, data, limit, spec.timeout)
    except KeyboardInterrupt:
        _end_group(proc)
        return Outcome("the user interrupted the tool (Ctrl-C) before it finished; it was stopped",
                       True, "interrupted (Ctrl-C): the tool was stopped")
    finally:
        _end_group(proc)
    return _outcome(spec, proc.returncode if ended else None, out, total, err, limit)


def _talk(proc: subprocess.Popen[bytes], data: bytes, limit: int,
          timeout: float) -> tuple[bytes, int, bytes, bool]:
    """Write the input, read stdout (keeping `limit` bytes, counting the rest) and stderr
    until both close and the process ended, or `timeout`; (out, total, err, ended)."""
    deadline = time.monotonic() + timeout
    assert proc.stdin and proc.stdout and proc.stderr
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the tool did not read its input: its answer is what it printed
    out, err, total = bytearray(), bytearray(), 0
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ, "out")
        sel.register(proc.stderr, selectors.EVENT_READ, "err")
        while sel.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                return bytes(out), total, bytes(err), False
            for key, _ in sel.select(min(left, 0.2)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                elif key.data == "out":
                    total += len(chunk)
                    out += chunk[: max(0, limit + 1 - len(out))]
                elif len(err) < STDERR_LIMIT:
                    err += chunk[: STDERR_LIMIT - len(err)]
    try:
        proc.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return bytes(out), total, bytes(err), False
    return bytes(out), total, bytes(err), True


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the tool's process group, SIGKILL to what is left after GRACE."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    else:
        deadline = time.monotonic() + GRACE
        while time.monotonic() < deadline and _group_alive(proc.pid):
            with contextlib.suppress(ChildProcessError):
                proc.poll()
            time.sleep(0.02)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _outcome(spec: ToolSpec, code: int | None, out: bytes, total: int, err: bytes,
             limit: int) -> Outcome:
    text = out[:limit].decode("utf-8", "replace")
    cut = total > limit
    if cut:
        text += f"\n[output cut at {limit:,} of {total:,} bytes]"
    problem = err.decode("utf-8", "replace").strip()
    if code is None:
        said = f"the tool timed out after {spec.timeout:g} s and was stopped"
        body = "\n".join(filter(None, [said, _labelled("stderr", problem), _labelled("stdout", text)]))
        return Outcome(body, True, f"timed out after {spec.timeout:g} s", cut)
    if code != 0:
        how = f"killed by signal {-code}" if code < 0 else f"exit {code}"
        body = "\n".join(filter(None, [f"the tool failed ({how})", _labelled("stderr", problem),
                                       _labelled("stdout", text)]))
        first = problem.splitlines()[-1] if problem else ""  # a traceback's last line says most
        return Outcome(body, True, f"{how}: {first[:100]}" if first else how, cut)
    lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    size = f"{total:,} bytes" + (f", cut at {limit:,}" if cut else "")
    return Outcome(text, False, f"exit 0 · {lines:,} line{'s' if lines != 1 else ''} · {size}", cut)


def _labelled(label: str, text: str) -> str:
    return f"{label}:\n{text}" if text.strip() else ""
