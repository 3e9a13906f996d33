"""Every string the code shows has its Indonesian in locale/id/LC_MESSAGES/django.po, the one
source of translations, and the .mo is compiled from it."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
# makemessages writes scratch files beside the templates: two runs at once (one per xdist
# worker) trip over each other's, so these tests share one worker.
pytestmark = pytest.mark.xdist_group("translations")


@pytest.fixture(scope="module")
def update_id() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_id", ROOT / "locale/update_id.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_string_has_its_indonesian_and_the_mo_is_compiled(update_id: ModuleType) -> None:
    assert update_id.gaps() == []


def test_a_string_without_indonesian_or_a_stale_mo_is_found(
    update_id: ModuleType, tmp_path: Path
) -> None:
    po = tmp_path / "django.po"
    mo = tmp_path / "django.mo"
    catalogue = polib.pofile(str(update_id.PO))
    entry = catalogue.find("Invalid input.")
    assert entry is not None
    entry.msgstr = ""
    catalogue.save(str(po))
    shutil.copy(update_id.MO, mo)

    assert update_id.gaps(po, mo) == [
        "untranslated: 'Invalid input.'",
        "django.mo is not compiled from the .po: run locale/update_id.py",
    ]
