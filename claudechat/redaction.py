"""The secrets in play, and the one function that takes them out of text: `redact()`.

Secrets are registered as soon as they are known, never looked for later:
    add_key(key)    the API key when keys.py looks it up (and a config's api_key values
                    when settings.py reads the file): the key, each line of it, the escaped
                    form an error quotes (b'sk-…\\n…'), its base64 (a Basic header)
    add_url(url)    a base URL's password (scheme://user:PASSWORD@host) and its base64
URL passwords are also taken out by pattern, known or not.

Every way out consults the registry, so a new message cannot leave without it:
`guard_streams()` (cli/main.py, first thing) puts a `Guarded` writer in front of the
process's stdout and stderr, through which every print, rich console, warning, --debug
line and traceback passes; ClaudechatError's text is redacted when it is made a string
(errors.py); the history, /save and the input history store text through `kept()`.

A secret is found also where rich wrapped it across lines or styled part of it (line
breaks, spaces and SGR sequences between its characters), and the replacement keeps
those, so a live region keeps its height. A write that ends in what may be the start of
a secret keeps that end back until the next write (a key split across two stream
deltas), or until the stream is handed to someone else (`buffer`, `fileno`) or closed.
"""

from __future__ import annotations

import atexit
import re
import sys
import threading
from typing import Any

MASK = "<redacted>"
MIN_LENGTH = 8  # shorter strings are not taken for secrets ("demo", the demo profile's key)
_GAP = r"(?:[ \t\r\n]|\x1b\[[0-?]*[ -/]*[@-~])*"
_GAPS = re.compile(r"[ \t\r\n]+|\x1b\[[0-?]*[ -/]*[@-~]")
_URL_PASSWORD = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^/@\s:]*:)([^/@\s]+)@")

_forms: set[str] = set()
_pattern: re.Pattern[str] | None = None
_tail: re.Pattern[str] | None = None  # the start of a form at the end of a text
_longest = 0
_lock = threading.Lock()


def add_key(key: str) -> None:
    """Register an API key (or anything as secret) in every form it may be printed in."""
    import base64

    key = key or ""
    forms = {key, key.strip(), repr(key)[1:-1], *(line.strip() for line in key.splitlines())}
    for form in list(forms):
        forms.add(base64.b64encode(form.encode("utf-8", "replace")).decode("ascii"))
    _add(forms)


def add_url(url: str) -> None:
    """Register the password written into a URL (and the Basic header made of it)."""
    import base64
    from urllib.parse import unquote

    for match in _URL_PASSWORD.finditer(url or ""):
        user = match.group(1).split("://", 1)[1].rstrip(":")
        password = match.group(2)
        _add({password, unquote(password)})
        _add({base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode("ascii")})


def _add(forms: set[str]) -> None:
    global _pattern, _tail, _longest
    fresh = {f for f in forms if len(f) >= MIN_LENGTH} - _forms
    if not fresh:
        return
    with _lock:
        _forms.update(fresh)
        ordered = sorted(_forms, key=len, reverse=True)
        _pattern = re.compile("|".join(_GAP.join(map(re.escape, form)) for form in ordered))
        _tail = re.compile("(?:" + "|".join(map(_prefixes, ordered)) + r")\Z")
        _longest = max(map(len, _forms))


def forget() -> None:
    """Drop every registered secret (tests that run more than one profile in a process)."""
    global _pattern, _tail
    with _lock:
        _forms.clear()
        _pattern = _tail = None


def known() -> bool:
    return bool(_forms)


def _masked(match: re.Match[str]) -> str:
    """The mask, and the line breaks and styles found between the secret's characters."""
    return MASK + "".join(_GAPS.findall(match.group(0)))


def redact(text: str, *, urls: bool = True) -> str:
    """`text` without a registered secret or (`urls`) a password written into any URL.
    What is stored goes through kept(): a reply's example `postgres://user:pass@host`
    stays as the model wrote it there; only known secrets go."""
    if not isinstance(text, str):
        return text
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(_masked, text)
    if urls and "://" in text:
        text = _URL_PASSWORD.sub(rf"\1{MASK}@", text)
    return text


def kept(text: str) -> str:
    """`text` as it may be stored (history, /save, input history): without a registered secret."""
    return redact(text, urls=False)


def held_back(text: str) -> int:
    """How many characters at the end of `text` may be the start of a secret."""
    tail = _tail
    if tail is None:
        return 0
    found = tail.search(text, max(0, len(text) - _longest))  # leftmost: the longest
    return len(found.group()) if found else 0


def _prefixes(form: str) -> str:
    """A pattern for any proper prefix of `form`: f(?:o(?:r)?)?"""
    rest = ""
    for char in reversed(form[1:-1]):
        rest = f"(?:{re.escape(char)}{rest})?"
    return re.escape(form[0]) + rest


class Guarded:
    """A text stream that writes through `redact()`; everything else is the stream's own."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._held = ""
        self._lock = threading.RLock()

    def write(self, text: Any) -> int:
        if not isinstance(text, str):  # bytes: the stream says what it says (click probes so)
            return self._inner.write(text)
        with self._lock:
            if not _forms and not self._held:
                self._inner.write(redact(text))
                return len(text)
            whole = self._held + text
            keep = held_back(whole)
            self._held = whole[len(whole) - keep:] if keep else ""
            out = redact(whole[:len(whole) - keep] if keep else whole)
            if out:
                self._inner.write(out)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def release(self) -> None:
        """Write what was kept back (the end of the output: no secret followed it)."""
        with self._lock:
            held, self._held = self._held, ""
            if held:
                try:
                    self._inner.write(redact(held))
                    self._inner.flush()
                except (OSError, ValueError):
                    pass

    @property
    def buffer(self) -> Any:  # prompt_toolkit writes bytes there: what came before goes first
        self.release()
        self._inner.flush()
        return self._inner.buffer

    def fileno(self) -> int:
        return self._inner.fileno()

    def close(self) -> None:
        self.release()
        self._inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def guard_streams() -> None:
    """Put a Guarded writer in front of sys.stdout and sys.stderr (once per process)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, Guarded):
            guarded = Guarded(stream)
            setattr(sys, name, guarded)
            atexit.register(guarded.release)


def release_streams() -> None:
    """Write out what the guarded streams kept back (before a last line, at exit)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, Guarded):
            stream.release()
