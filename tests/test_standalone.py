"""A plain `git clone` of the repository is enough: its tests need nothing that sits beside the checkout.

The clone is of the committed HEAD, into an empty temporary folder, so uncommitted files and any folder next to
this checkout are out of its reach.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Paths outside the repository that its files once pointed at (the design workspace's shared folder).
OUTSIDE = r"\.\./shared|/shared/(design|reference|seed)"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}  # imports come from the clone
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("standalone") / "repo"
    cloned = run(["git", "clone", "--quiet", str(ROOT), str(target)], cwd=target.parent)
    assert cloned.returncode == 0, cloned.stderr
    head = run(["git", "rev-parse", "HEAD"], cwd=ROOT).stdout.strip()
    assert run(["git", "rev-parse", "HEAD"], cwd=target).stdout.strip() == head
    return target


def test_clone_collects_every_test_module(clone: Path):
    collected = run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts=",
                     "-p", "no:cacheprovider"], cwd=clone)
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
    total = re.search(r"^(\d+) tests? collected", collected.stdout, re.M)
    assert total and int(total.group(1)) >= 500, collected.stdout[-1000:]
    modules = {line.split("::")[0] for line in collected.stdout.splitlines() if "::" in line}
    committed = set(run(["git", "ls-files", "tests/**/test_*.py", "tests/test_*.py"], cwd=clone).stdout.split())
    assert committed and committed == modules


def test_clone_runs_the_payload_shape_tests(clone: Path):
    """These read the Chatwoot example payloads and API examples from tests/fixtures/chatwoot_payloads."""
    ran = run([sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
               "tests/sandbox/test_payloads.py", "tests/sandbox/test_api_shapes.py"], cwd=clone)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert re.search(r"^\d+ passed", ran.stdout, re.M) and " skipped" not in ran.stdout, ran.stdout[-1000:]


def test_clone_names_nothing_outside_itself(clone: Path):
    found = run(["git", "grep", "-nE", OUTSIDE, "--", ".", ":!.ci"], cwd=clone)
    assert found.returncode == 1 and found.stdout == "", found.stdout  # git grep: 1 means no match
