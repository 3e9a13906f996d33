"""Every package the source imports directly is declared in pyproject.toml: relying on one
that arrives only as another's dependency breaks the day that other drops it."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_PACKAGES = (
    "config",
    "tenants",
    "applications",
    "organizers",
    "common",
    "api",
    "public_site",
    "organizer_pages",
    "booking_pages",
    "benchmarks",
    "documents",
)
# The run and bench tooling starts an embedded PostgreSQL: it may use the `local` group too.
TOOLING = ("config/launcher.py", "benchmarks/")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _normalise(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0])


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def undeclared_imports(root: Path) -> dict[str, list[str]]:
    """{distribution: [files importing it]} for imports no dependency list of `root`'s
    pyproject.toml declares."""
    project = tomllib.loads((root / "pyproject.toml").read_text())
    runtime = {_requirement_name(r) for r in project["project"]["dependencies"]}
    local = {_requirement_name(r) for r in project["dependency-groups"].get("local", [])}
    distributions = importlib.metadata.packages_distributions()
    first_party = {*SOURCE_PACKAGES, "tests", "manage"}
    missing: dict[str, list[str]] = {}
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(root).as_posix()
            allowed = runtime | local if relative.startswith(TOOLING) else runtime
            for name in _top_level_imports(path):
                if name in sys.stdlib_module_names or name in first_party:
                    continue
                names = distributions.get(name, [name])
                if not any(_normalise(dist) in allowed for dist in names):
                    missing.setdefault("/".join(names), []).append(relative)
    return missing


def test_every_directly_imported_package_is_declared() -> None:
    assert undeclared_imports(ROOT) == {}


def test_an_undeclared_import_is_found(tmp_path: Path) -> None:
    """The check itself: an import of a package that is only installed as another's dependency
    (kombu comes with celery) is reported once pyproject.toml stops declaring it."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(
        re.sub(r'^\s*"kombu[^"]*",.*\n', "", pyproject, flags=re.MULTILINE)
    )
    for package in SOURCE_PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "common" / "health.py").write_text("from kombu import Connection\n")

    assert undeclared_imports(tmp_path) == {"kombu": ["common/health.py"]}
