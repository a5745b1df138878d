"""`make serve` installs the runtime dependencies only: every third-party module that the
served packages import must come with them (directly or as a dependency of one), never
from the dev extras alone."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVED = ("domain", "gateway", "rest_compat", "migrations")


def _parsed(requirement: str) -> tuple[str, frozenset[str]]:
    """A requirement's distribution name (normalised) and the extras it asks for."""
    found = re.match(r"\s*([A-Za-z0-9._-]+)\s*(?:\[([^\]]*)\])?", requirement)
    assert found is not None, requirement
    extras = frozenset(e.strip() for e in (found.group(2) or "").split(",") if e.strip())
    return found.group(1).lower().replace("_", "-"), extras


@cache
def _requires(distribution: str, extras: frozenset[str] = frozenset()) -> frozenset[str]:
    """The distribution and everything it needs at run time with those extras."""
    needed = {distribution}
    try:
        requirements = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        return frozenset(needed)
    for requirement in requirements:
        marker = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", requirement)
        if marker is not None and marker.group(1) not in extras:
            continue
        needed |= _requires(*_parsed(requirement.split(";")[0]))
    return frozenset(needed)


def runtime_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names: set[str] = set()
    for requirement in project["dependencies"]:
        names |= _requires(*_parsed(requirement))
    return names


def imported_top_levels() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in SERVED:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], path)
    return found


def test_served_code_imports_only_runtime_dependencies() -> None:
    providers = metadata.packages_distributions()
    runtime = runtime_distributions()
    missing = {}
    for module, where in imported_top_levels().items():
        if module in SERVED or module in sys.stdlib_module_names or module == "__future__":
            continue
        distributions = {d.lower().replace("_", "-") for d in providers.get(module, [])}
        assert distributions, f"{module} (imported in {where}) comes from no installed package"
        if not distributions & runtime:
            missing[module] = str(where.relative_to(ROOT))
    assert missing == {}, f"imported at run time but only a dev dependency: {missing}"
