"""signals: deferred() holds Ctrl-C, SIGHUP and SIGTERM until its block is over, then they take
effect; install() makes SIGHUP/SIGTERM end the program like Ctrl-C but leaves an ignored signal
ignored (nohup stays nohup). Each case runs in its own Python process, so pytest's own
handlers are never touched; the process signals itself, so nothing depends on timing."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

PRELUDE = """
import os, signal, sys
from claudechat import signals
def log(*words):
    print(*words, flush=True)
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=30)


def test_ctrl_c_inside_deferred_waits_for_the_end_of_the_block():
    done = run("""
        try:
            with signals.deferred():
                os.kill(os.getpid(), signal.SIGINT)
                log("block finished")
            log("not reached")
        except KeyboardInterrupt:
            log("interrupted after the block")
    """)
    assert done.stdout.splitlines() == ["block finished", "interrupted after the block"], done.stderr


def test_sigterm_inside_deferred_ends_the_program_after_the_block():
    done = run("""
        signals.install()
        try:
            with signals.deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                log("block finished")
            log("not reached")
        except signals.Hangup:
            log("hangup", signals.exit_code())
    """)
    assert done.stdout.splitlines() == ["block finished", f"hangup {128 + signal.SIGTERM}"], done.stderr


def test_sighup_with_the_default_action_still_kills_after_the_block():
    done = run("""
        with signals.deferred():
            os.kill(os.getpid(), signal.SIGHUP)
            log("block finished")
        log("not reached")
    """)
    assert done.stdout.splitlines() == ["block finished"]
    assert done.returncode == -signal.SIGHUP


def test_the_handlers_are_restored_after_the_block():
    done = run("""
        before = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
        with signals.deferred():
            pass
        after = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
        log(before == after)
    """)
    assert done.stdout.splitlines() == ["True"], done.stderr


def test_install_leaves_an_ignored_signal_ignored():
    done = run("""
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signals.install()
        log(signal.getsignal(signal.SIGHUP) is signal.SIG_IGN,
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGHUP)
        log("still here")
    """)
    assert done.stdout.splitlines() == ["True True", "still here"], done.stderr


def test_an_ignored_signal_stays_ignored_through_deferred():
    done = run("""
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        with signals.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
        log("still here", signal.getsignal(signal.SIGTERM) is signal.SIG_IGN)
    """)
    assert done.stdout.splitlines() == ["still here True"], done.stderr


def test_sighup_after_install_is_a_keyboard_interrupt_with_exit_code_129():
    done = run("""
        signals.install()
        try:
            os.kill(os.getpid(), signal.SIGHUP)
            log("not reached")
        except KeyboardInterrupt:
            log("interrupted", signals.exit_code())
    """)
    assert done.stdout.splitlines() == [f"interrupted {128 + signal.SIGHUP}"], done.stderr
