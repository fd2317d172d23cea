"""How to tell the user to change a setting, in the words of where they are: the chat's
commands (`/think off`, `/set temperature default`) or the command line's options, and
there an option given (`leave out --temperature`) or the config file's setting.

A refusal says what to do instead; this is the one place that knows how each remedy
is written. Pure (a leaf).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Advice:
    chat: bool = False  # in the chat: its commands; else the command line's options
    flags: frozenset[str] | None = None  # the settings given as options; None: not known
    config_file: str = "the config file"

    @classmethod
    def command_line(cls, flags: dict[str, object], config_file: object) -> Advice:
        """For settings resolved from `flags` (None: not given) over the config file."""
        return cls(flags=frozenset(k for k, v in flags.items() if v is not None),
                   config_file=str(config_file))

    def unset(self, name: str) -> str:
        """How to go back to not sending `name` (temperature, top_p, top_k, effort…)."""
        if self.chat:
            return f"/set {name} default"
        option = f"--{name.replace('_', '-')}"
        if self.flags is None:
            return f"leave out {option} (or the {name} setting)"
        if name in self.flags:
            return f"leave out {option}"
        return f"remove {name} from {self.config_file}"

    def thinking(self, on: bool) -> str:
        if self.chat:
            return f"/think {'on' if on else 'off'}"
        return "--think" if on else "--no-think"

    def effort(self, levels: str = "LEVEL") -> str:
        return f"/think {levels}" if self.chat else f"--effort {levels}"

    def budget(self) -> str:
        return "/think N (tokens)" if self.chat else "--thinking-budget N"


COMMAND_LINE = Advice()
CHAT = Advice(chat=True)
