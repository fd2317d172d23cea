"""Tools for the tests: small Python programs in a folder, and the config that defines them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SCHEMA = '{ type = "object", properties = { text = { type = "string" } }, required = ["text"] }'

# name -> the program's body (it reads the input JSON on stdin)
PROGRAMS = {
    # prints "got: TEXT" and appends TEXT to ran.log beside it
    "echo_input": ("import json, sys, pathlib\n"
                   "a = json.load(sys.stdin)\n"
                   "log = pathlib.Path(__file__).with_name('ran.log')\n"
                   "before = log.read_text() if log.exists() else ''\n"
                   "log.write_text(before + a['text'] + '\\n')\n"
                   "print('got: ' + a['text'])\n"),
    "fails": "import sys\nsys.stderr.write('disk on fire\\n')\nsys.exit(3)\n",
    "big": "import sys\nsys.stdout.write('x' * 5000)\n",
    # starts a grandchild, writes both pids, then waits
    "hangs": ("import os, subprocess, sys, time, pathlib\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
              "pathlib.Path(__file__).with_name('pids').write_text(f'{os.getpid()} {child.pid}')\n"
              "time.sleep(120)\n"),
}


def tool_config(folder: Path, *, extra: str = "", **settings: str) -> str:
    """The [tools.NAME] tables of PROGRAMS (written into `folder`), and `settings` per tool
    as "name.key = value" lines in `extra`."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = []
    for name, body in PROGRAMS.items():
        program = folder / f"{name}.py"
        program.write_text(body, "utf-8")
        tables.append(f"[tools.{name}]\ndescription = \"the {name} tool\"\n"
                      f"command = {json.dumps([sys.executable, str(program)])}\n"
                      f"input_schema = {SCHEMA}\n" + settings.get(name, ""))
    return extra + "\n" + "\n".join(tables)


def results(body: dict) -> list[dict]:
    """The tool_result blocks of a request's last user message."""
    last = [m for m in body["messages"] if m["role"] == "user"][-1]
    return [b for b in last["content"] if b.get("type") == "tool_result"]


def pid_alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for this purpose
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def assert_stopped_to_ask(done: Any, folder: Path, call: str) -> None:
    """`ask` without --yes met a call of echo_input that wants confirmation: it printed `call`
    (the tool's input as JSON), exited 1 with the hint, and ran nothing."""
    assert done.code == 1
    assert f"the model asks to run echo_input with {call}" in done.err
    assert done.err_lines[-1].endswith("run again with --yes to let it (or set confirm = false in its "
                                       "[tools.NAME] table)")
    assert "Traceback" not in done.err
    assert not (folder / "ran.log").exists()


def tools_off_after_a_reply(term: Any, says: str) -> None:
    """In the chat: "hi" answered "First.", then /tools off echo_input (the chat `says` how),
    then "more" answered "Second."."""
    term.say("hi")
    term.wait_text("First.")
    term.wait_prompt(after="First.")
    term.say("/tools off echo_input")
    term.wait_text(says)
    term.say("more")
    term.wait_text("Second.")
