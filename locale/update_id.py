"""The Indonesian catalogue, locale/id/LC_MESSAGES/django.po, is the one source of translations.

    .venv/bin/python locale/update_id.py           # refresh: collect, compile, list the gaps
    .venv/bin/python locale/update_id.py --check   # change nothing; fail on any gap

Refresh collects the strings of the code into the .po (makemessages, without source
locations so the file changes only when a string does), compiles the .mo, and lists every
string that still has no Indonesian: write its msgstr in the .po and run it again. It exits 1
while any string is untranslated. The check (run by the test suite, tests/test_translations.py)
collects the strings into a scratch catalogue and fails when one of them has no Indonesian in
the .po, when an entry is fuzzy, or when the .mo was not compiled from the .po as it stands.
A lock keeps two runs from clobbering the .po.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/id/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
IGNORED = (".venv/*", "var/*", "node_modules/*", "tests/*", "benchmarks/*")


def _makemessages(locale: str) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    ignore = [arg for pattern in IGNORED for arg in ("--ignore", pattern)]
    subprocess.run(  # noqa: S603 - our own manage.py with arguments built here
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            locale,
            "--no-obsolete",
            "--no-location",
            *ignore,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _untranslated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not entry.msgstr_plural or not all(entry.msgstr_plural.values())
    return not entry.msgstr


def gaps(po: Path = PO, mo: Path = MO) -> list[str]:
    """What stands between the code and a complete, compiled catalogue; changes nothing."""
    scratch = f"zz_{uuid.uuid4().hex[:8].upper()}"  # unused locale; makemessages writes it
    try:
        _makemessages(scratch)
        wanted = polib.pofile(str(ROOT / "locale" / scratch / "LC_MESSAGES/django.po"))
    finally:
        shutil.rmtree(ROOT / "locale" / scratch, ignore_errors=True)
    catalogue = polib.pofile(str(po))
    translated = {_key(entry): entry for entry in catalogue if not _untranslated(entry)}
    problems = [
        f"untranslated: {entry.msgid!r}" for entry in wanted if _key(entry) not in translated
    ]
    with tempfile.TemporaryDirectory() as scratch_dir:
        compiled = Path(scratch_dir) / "django.mo"
        catalogue.save_as_mofile(str(compiled))
        if not mo.exists() or compiled.read_bytes() != mo.read_bytes():
            problems.append(f"{mo.name} is not compiled from the .po: run locale/update_id.py")
    return problems


def refresh() -> int:
    with open(ROOT / "locale/.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        header = polib.pofile(str(PO)).metadata
        _makemessages("id")
        catalogue = polib.pofile(str(PO))
        # Keep the header as it was: a new creation date on every run is churn, not a change.
        catalogue.metadata = {**catalogue.metadata, **header}
        catalogue.save(str(PO))
        catalogue.save_as_mofile(str(MO))
    missing = [entry.msgid for entry in catalogue if _untranslated(entry)]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(catalogue)} strings, {len(missing)} untranslated")
    return 1 if missing else 0


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        problems = gaps()
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    if argv:
        print(__doc__)
        return 2
    return refresh()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
