"""Preserved thinking (docs/API-2026.md §2): signatures as HMACs and the checks on the way back."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from claudechat.demo.rules import (
    BAD_SIGNATURE,
    BINDING_BETA,
    BOUND_ELSEWHERE,
    NEEDS_BINDING_BETA,
    canonical,
    invalid,
    rules_for,
)


def _can_read(current: str, producer: str) -> bool:
    """§2.1 model check: may `current` read a block `producer` wrote?"""
    now, then = rules_for(current), rules_for(producer)
    if current == producer or now is None or then is None:
        return True
    family = lambda r: r.name.split()[1]  # noqa: E731  "Fable", "Opus", ...
    if family(now) == "Haiku" and now.created >= "2026-10-07":
        return False  # Haiku 5.5 drops foreign blocks
    if family(then) == "Haiku" and then.created >= "2026-10-07":
        return True  # Haiku 5.5 blocks replay on other models
    if now.name == "Claude Opus 5.5" and family(then) in ("Fable", "Mythos"):
        return False
    if then.name == "Claude Opus 5.5" and now.created == "2026-09-01":
        return True  # on the Claude API, Fable 5.1 reads Opus 5.5 blocks
    return now.created >= then.created  # nothing earlier reads a later model's blocks


class Binder:
    """Thinking signatures: HMACs with a per-server secret over the block's text (integrity) and,
    for models that run the prefix check, over the prefix it was written after (§2)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, *parts: str) -> str:
        return hmac.new(self._secret, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()[:32]

    def _prefix(self, producer: str, body: dict, messages: list) -> str:
        system = body.get("system")
        if isinstance(system, str):  # the same prompt as one text block renders the same
            system = [{"type": "text", "text": system}]
        return self._mac("prefix", producer, canonical(system), canonical(body.get("tools")),
                         canonical(messages))

    def sign(self, producer: str, body: dict, text: str) -> str:
        """The signature of a block `producer` writes in reply to `body`."""
        messages = list(body.get("messages") or [])
        if messages and isinstance(messages[-1], dict) and messages[-1].get("role") == "assistant":
            messages.pop()  # a continued (paused) turn: the reply belongs to that last message
        rules = rules_for(producer)
        records = rules is not None and rules.prefix_check is not None
        payload = {"m": producer, "t": self._mac("text", producer, text),
                   "p": self._prefix(producer, body, messages) if records else None}
        return "Es" + base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()

    def _open(self, signature: Any) -> dict | None:
        if not isinstance(signature, str) or not signature.startswith("Es"):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(signature[2:].encode()))
        except ValueError:
            return None
        return payload if isinstance(payload, dict) and isinstance(payload.get("m"), str) else None

    def check(self, body: dict, *, enforce: bool, betas: list[str], runs_check: bool,
              issued: frozenset[str] = frozenset()) -> list[dict]:
        """The §2 checks of every thinking block sent back; the input_transformations, or a 400.
        `issued`: signatures a test scripted (Reply(signature=...)): valid, bound to nothing."""
        behavior = (body.get("thinking") or {}).get("block_binding", {}).get("prefix_mismatch_behavior") \
            if isinstance(body.get("thinking"), dict) else None
        found: list[dict] = []
        failed = False
        for i, message in enumerate(body["messages"]):
            content = message.get("content")
            if message.get("role") != "assistant" or not isinstance(content, list):
                continue
            for j, block in enumerate(content):
                if not isinstance(block, dict) or block.get("type") not in ("thinking", "redacted_thinking"):
                    continue
                path = f"messages.{i}.content.{j}"
                if failed:  # drop_block: the failing block and every later thinking block
                    found.append(_dropped(path, "prefix_binding_mismatch"))
                    continue
                if block["type"] == "redacted_thinking":
                    continue
                outcome = self._check_block(block, body, i, path, runs_check and block.get("signature")
                                            not in issued)
                if outcome == "model":
                    found.append(_dropped(path, "model_binding_mismatch"))
                elif outcome == "prefix" and not enforce:
                    if behavior is None:
                        found.append({"type": "thinking_mismatch_allowed", "path": path,
                                      "reason": "prefix_binding_mismatch"})
                elif outcome == "prefix" and behavior == "drop_block":
                    failed = True
                    found.append(_dropped(path, "prefix_binding_mismatch"))
                elif outcome == "prefix":
                    extra = "" if BINDING_BETA in betas else NEEDS_BINDING_BETA
                    raise invalid(BOUND_ELSEWHERE.format(path=path) + extra)
        return found

    def _check_block(self, block: dict, body: dict, i: int, path: str, runs_check: bool) -> str | None:
        """None (fine), "model" (unreadable: dropped), "prefix" (bound elsewhere); 400 if tampered."""
        payload = self._open(block.get("signature"))
        if payload is None:
            if runs_check:  # a signature this server never issued: tampered, truncated or empty
                raise invalid(BAD_SIGNATURE.format(path=path))
            return None
        producer = payload["m"]
        text_mac = self._mac("text", producer, str(block.get("thinking")))
        if not hmac.compare_digest(str(payload.get("t")), text_mac):
            raise invalid(BAD_SIGNATURE.format(path=path))
        if not _can_read(body["model"], producer):
            return "model"
        if not runs_check or payload.get("p") is None:
            return None
        messages = body["messages"][:i]
        return None if hmac.compare_digest(payload["p"], self._prefix(producer, body, messages)) else "prefix"


def _dropped(path: str, reason: str) -> dict:
    return {"type": "thinking_dropped", "path": path, "reason": reason}
