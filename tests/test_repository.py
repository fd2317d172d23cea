"""The repository stands on its own: a clone with nothing beside it has everything
its code, tests and docs need."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from helpers.fixtures import FIXTURES, sse_fixtures

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".venv", "build", "dist"}
# a path outside the repository: the shared folder beside it, or a shared/ folder found from a parent
OUTSIDE = re.compile(r"\.\./shared"
                     r"|parents\[\d\]\s*/\s*[\"']shared[\"']"
                     r"|[\"']shared[\"']\s*/\s*[\"']fixtures[\"']")


def repository_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if path.is_file() and not parts & SKIP_DIRS and not any(p.endswith(".egg-info") for p in parts):
            files.append(path)
    return files


def test_nothing_refers_to_a_folder_beside_the_repository():
    offenders = []
    for path in repository_files():
        try:
            text = path.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line) and path != Path(__file__).resolve():
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_recorded_streams_and_references_are_inside():
    assert FIXTURES.is_relative_to(ROOT)
    # the fixtures README names every recorded stream the tests use, and each is there
    listed = set(re.findall(r"`([a-z_]+\.sse)`", (FIXTURES / "README.md").read_text("utf-8")))
    assert listed and listed == set(sse_fixtures())
    for doc in ("PROTOCOL.md", "API-2026.md", "DESIGN.md"):
        assert (ROOT / "docs" / doc).stat().st_size > 1000, doc


def test_the_readme_links_resolve_inside_the_repository():
    readme = (ROOT / "README.md").read_text("utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)\)", readme)
    local = [t for t in targets if "://" not in t]
    assert local, "the README links to files of the repository"
    missing = [t for t in local if not (ROOT / t).resolve().is_relative_to(ROOT) or not (ROOT / t).exists()]
    assert missing == []


def test_a_parametrised_test_with_no_cases_fails_the_run(tmp_path):
    """With the project's pytest settings, a test parametrised over nothing (a fixtures
    folder that went missing, say) is an error, not a silent skip."""
    (tmp_path / "test_empty.py").write_text(
        "import pytest\n\n@pytest.mark.parametrize('name', [])\ndef test_each(name):\n    pass\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path),
                           str(tmp_path / "test_empty.py")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode != 0, done.stdout
    assert "Empty parameter set" in done.stdout
