"""Helpers shared by the tests: paths, the fake server, the CLI runner, terminals."""
