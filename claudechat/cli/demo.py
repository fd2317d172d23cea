"""`--demo`: the chat or ask against the demo server (claudechat/demo/), started here on
127.0.0.1 and stopped when the command ends; no key, no network."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from claudechat.errors import UsageError
from claudechat.options import Options
from claudechat.setting_keys import DEMO_PROFILE

# what the demo decides itself: its server, its key (none), where its conversations go
REFUSED = (("profile", "-p/--profile"), ("base_url", "--base-url"), ("continue_last", "-c/--continue"),
           ("cid", "--cid"))


@contextmanager
def demo(options: Options) -> Iterator[Options]:
    """`options` pointed at a demo server that runs for the `with` block. Its conversations are
    not kept in the history unless --save is given."""
    given = [flag for name, flag in REFUSED if getattr(options, name)]
    if given:
        raise UsageError(f"{given[0]} does not go with --demo (the demo runs its own server, with "
                         "no key and no history); leave one of them out")
    from claudechat.demo.tour import demo_server

    with demo_server() as server:
        yield dataclasses.replace(options, profile=DEMO_PROFILE, base_url=server.url,
                                  save=False if options.save is None else options.save)
