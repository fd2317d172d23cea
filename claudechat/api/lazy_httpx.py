"""httpx, loaded at its first use: importing the modules that name it costs nothing.

`from claudechat.api.lazy_httpx import httpx` binds the module object that the standard
library's `importlib.util.LazyLoader` puts in sys.modules; the first attribute looked up
on it (`httpx.Client`) runs httpx's import (~35 ms). `ask` builds its HTTP client at
once, so nothing changes there; the chat draws its prompt first and builds the client
on a thread while the user types (connect.open_client(deferred=True), ApiClient.warm).

Python 3.11's lazy module is not safe to load from two threads at once: the first
lookup is made under ApiClient's lock, where the client is built, and no other code
reaches httpx before a request has been made through that client.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy(name: str) -> ModuleType:
    """The module `name`, loaded at its first attribute lookup (at once if already loaded)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # not installed: the import says so, now
        return importlib.import_module(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


httpx = lazy("httpx")
