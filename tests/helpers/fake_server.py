"""The tests' name for the loopback server, which lives in the package (claudechat/demo/) so
that an installed claudechat has it for `claudechat --demo`; see its docstring for scripting.

Standalone: ``python tests/helpers/fake_server.py [--port N] …`` is ``python -m claudechat.demo``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a script: python tests/helpers/fake_server.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

# FakeServer, Reply, ErrorReply, RawSSE, Drop, Stall, Recorded, default_models, model_info, …
from claudechat.demo import *  # noqa: E402, F403
from claudechat.demo import __all__  # noqa: E402, F401

if __name__ == "__main__":
    from claudechat.demo.__main__ import main

    sys.exit(main())
