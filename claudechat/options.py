"""Options: what the command line asked for, for the chat and `ask` alike.

The chat takes a subset (no prompt, files or output switches); the fields it
does not take keep their defaults. `flags()` gives the ones that override
settings, for `settings.load`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Options:
    prompt: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    resize: bool | None = None
    model: str | None = None
    system: str | None = None
    profile: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = field(default_factory=list)
    think: bool | None = None
    thinking_budget: int | None = None
    effort: str | None = None
    stream: bool = True
    json: bool = False
    show_thinking: bool = False
    usage: bool = False
    plain: bool = False
    base_url: str | None = None
    debug: bool = False
    continue_last: bool = False  # -c/--continue
    cid: str | None = None  # --cid ID
    save: bool | None = None  # --save/--no-save; None: the save_history setting
    web: bool | None = None  # --web/--no-web: the API's web search and fetch
    cite: bool | None = None  # --cite: citations on attached documents
    tools: list[str] = field(default_factory=list)  # --tool NAME (repeatable)
    tool_choice: str | None = None  # --tool-choice auto|none|NAME
    yes: bool = False  # ask --yes: run the tools without asking

    def flags(self) -> dict[str, Any]:
        """The options that override settings (None: not given)."""
        return {
            "profile": self.profile,
            "model": self.model,
            "system": self.system,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "stop_sequences": tuple(self.stop) if self.stop else None,
            "thinking": self.think,
            "thinking_budget": self.thinking_budget,
            "effort": self.effort,
            "base_url": self.base_url,
            "resize_images": self.resize,
            "web": self.web,
            "cite": self.cite,
            "tools": tuple(self.tools) if self.tools else None,
            "tool_choice": self.tool_choice,
            # --show-thinking shows the thinking whatever the config says, so it is asked for
            "thinking_display": "expanded" if self.show_thinking else None,
        }
