"""The layering rules hold: services never commit (the §6 wrappers aside), routes and CLI commands commit only
through app/transactions.py, nothing below jobs imports them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
# The seed-facing wrapper of INTERFACES §6 that lives under services and commits like an entry point.
MAY_COMMIT = {APP / "services" / "notification_service.py"}
# (The webhook intake's one INSERT runs in autocommit on its own engine and calls no commit: its docstring says why.)
BELOW_JOBS = ("services", "chatwoot", "models")
ENTRY_POINTS = ("web", "api", "cli")
# The webhook intake answers Chatwoot within its own short transactions (its acknowledgement path).
OWN_TRANSACTIONS = {APP / "api" / "webhooks.py"}


def _modules(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (APP / package).rglob("*.py"))


def _commits(path: Path, *methods: str) -> list[int]:
    """Lines calling `.commit()` (or the given methods) on anything."""
    methods = methods or ("commit",)
    tree = ast.parse(path.read_text(), filename=str(path))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods]


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_services_never_commit_apart_from_the_seed_facing_wrapper():
    found = {f"{path.relative_to(ROOT)}:{line}" for path in _modules("services") if path not in MAY_COMMIT
             for line in _commits(path)}
    assert found == set(), "services flush; the job, the request or the CLI command commits"


def test_routes_and_commands_commit_only_through_the_unit_of_work():
    found = {f"{path.relative_to(ROOT)}:{line}" for path in _modules(*ENTRY_POINTS) if path not in OWN_TRANSACTIONS
             for line in _commits(path, "commit", "rollback")}
    assert found == set(), "use transactions.unit_of_work (cli: committed) or transactions.discard"


def test_the_wrapper_allowance_is_still_needed():
    assert all(_commits(path) for path in MAY_COMMIT), "drop a wrapper from MAY_COMMIT once it stops committing"


def test_nothing_below_the_jobs_imports_them():
    found = {str(path.relative_to(ROOT)) for path in _modules(*BELOW_JOBS)
             if any(name == "app.jobs" or name.startswith("app.jobs.") for name in _imported(path))}
    assert found == set()


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.replace("0 broken", "")
