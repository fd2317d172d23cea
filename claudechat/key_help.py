"""Where a key for each built-in profile comes from, and how to give it to claudechat:
what ask and the chat say when there is no key. Pure (a leaf)."""

from __future__ import annotations

from typing import NamedTuple


class Source(NamedTuple):
    who: str
    site: str
    steps: tuple[str, ...]  # what to do on the site: short lines
    variable: str

    @property
    def how(self) -> str:
        return ", ".join(self.steps)


# The built-in profiles (settings.BUILTIN_PROFILES), in the README's order.
WHERE = {
    "acedata": Source("Ace Data Cloud", "https://platform.acedata.cloud",
                      ("open the Claude API service, press Acquire (a free starting quota)",
                       "copy a token from its Credentials"), "ACEDATA_API_TOKEN"),
    "anthropic": Source("Anthropic", "https://console.anthropic.com",
                        ("Settings, API keys, Create key",), "ANTHROPIC_API_KEY"),
}
DEMO = "try it without a key: claudechat --demo"


def one_line(profile: str | None, config_file: object, variable: str | None = None) -> str:
    """The error ask (and every command but the chat) prints: the variable(s), where a
    key comes from, and --demo."""
    if profile is None:
        choices = " or ".join(f"${s.variable} (key from {s.site})" for s in WHERE.values())
        return (f"no API key: set {choices}, or choose a profile with api_key_env, api_key_command "
                f"or api_key in {config_file}; or {DEMO}")
    source = WHERE.get(profile)
    variable = variable or (source.variable if source else None)
    where = f" (key from {source.site}: {source.how})" if source else ""
    set_it = f"set ${variable}{where} or " if variable else ""
    return (f"no API key for profile {profile!r}: {set_it}add api_key_env or api_key_command to "
            f"[profiles.{profile}] in {config_file}; or {DEMO}")


def lines(profile: str | None, config_file: object, variable: str | None = None) -> list[str]:
    """What the chat says instead: a few lines; for each built-in profile (or only the one
    chosen) where its key comes from and how to set it, then --demo."""
    names = list(WHERE) if profile is None else [profile] if profile in WHERE else []
    out = [f"No API key for profile {profile!r}." if profile else "No API key yet."]
    for name in names:
        source = WHERE[name]
        out.append(f"  {source.who} (profile {name}): {source.site}")
        out.append("    " + ",\n    ".join(source.steps) + f"; then: export {source.variable}=…")
    if profile is not None and not names and variable:
        out.append(f"  Set ${variable} (the api_key_env of profile {profile!r}).")
    section = f"[profiles.{profile}]" if profile else "a [profiles.NAME] section"
    out.append(f"  {'Or s' if len(out) > 1 else 'S'}et api_key_env or api_key_command in {section} of\n"
               f"    {config_file}")
    out.append(f"  Or {DEMO}")
    return out
