"""claudechat: a terminal chat client for the Claude Messages API."""

__version__ = "0.1.0"
