"""The import contracts of pyproject.toml ([tool.importlinter]) hold, and they catch a
forbidden import: `./sentra test` runs lint-imports on the tree; here it also runs on a copy
with one forbidden import added, which must break the contract."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
PACKAGES = (
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


def _copy_of_the_tree(target: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("*.pyc", "__pycache__")
        )
    return target


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_the_tree_keeps_its_import_contracts(tmp_path: Path) -> None:
    result = _lint_imports(_copy_of_the_tree(tmp_path))

    assert result.returncode == 0, result.stdout
    assert " 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        (
            "organizers/selectors.py",
            "api.exception_handlers",
            "never import api, public_site, booking_pages, organizer_pages or config",
        ),
        (
            "tenants/context.py",
            "config.env",
            "never import api, public_site, booking_pages, organizer_pages or config",
        ),
        (
            "common/process_cache.py",
            "public_site.forms",
            "never import api, public_site, booking_pages, organizer_pages or config",
        ),
        ("api/idempotency.py", "public_site.forms", "api and public_site never import each other"),
        ("public_site/forms.py", "api.idempotency", "api and public_site never import each other"),
        (
            "organizers/selectors.py",
            "organizer_pages.forms",
            "never import api, public_site, booking_pages, organizer_pages or config",
        ),
        (
            "api/idempotency.py",
            "organizer_pages.forms",
            "api and organizer_pages never import each other",
        ),
        (
            "organizer_pages/forms.py",
            "api.idempotency",
            "api and organizer_pages never import each other",
        ),
        (
            "public_site/forms.py",
            "organizer_pages.forms",
            "public_site never imports organizer_pages",
        ),
        (
            "organizers/selectors.py",
            "booking_pages.forms",
            "never import api, public_site, booking_pages, organizer_pages or config",
        ),
        (
            "api/idempotency.py",
            "booking_pages.forms",
            "api and booking_pages never import each other",
        ),
        (
            "booking_pages/forms.py",
            "api.idempotency",
            "api and booking_pages never import each other",
        ),
        (
            "documents/services.py",
            "api.v1.documents",
            "never import api, public_site, booking_pages, organizer_pages or config",
        ),
        (
            "public_site/forms.py",
            "booking_pages.forms",
            "public_site never imports booking_pages",
        ),
        (
            "booking_pages/forms.py",
            "organizer_pages.forms",
            "booking_pages and organizer_pages never import each other",
        ),
        (
            "organizer_pages/forms.py",
            "booking_pages.forms",
            "booking_pages and organizer_pages never import each other",
        ),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, forbidden: str, contract: str
) -> None:
    tree = _copy_of_the_tree(tmp_path)
    with (tree / module).open("a") as source:
        source.write(f"\nimport {forbidden}  # added by the test\n")

    result = _lint_imports(tree)

    assert result.returncode == 1
    assert f"{contract} BROKEN" in " ".join(result.stdout.split())
    assert forbidden in result.stdout
