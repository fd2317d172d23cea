"""The wire: HTTP client, SSE decoding, typed events, and both wire formats."""
