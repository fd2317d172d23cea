"""The user's own tools: defined in the config (specs.py), run as local programs
(runner.py), and the loop that answers a reply's tool calls (loop.py).

The loop speaks content blocks (`tool_use` in a reply, `tool_result` back), as the
rest of the client does: a wire format turns those into its own shape.
"""
