"""Refresh the Indonesian catalogue: collect the strings (makemessages), fill in translations
waiting in locale/id/incoming/*.json ({"English msgid": "Indonesian"}; a plural's value is a
list of forms), compile the .mo, and list
what is still untranslated. Holds a lock so two people running it at once do not clobber the .po.

    .venv/bin/python locale/update_id.py
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/id/LC_MESSAGES/django.po"
INCOMING = ROOT / "locale/id/incoming"


def main() -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with open(ROOT / "locale/.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-obsolete",
             "--ignore", ".venv/*", "--ignore", "var/*", "--ignore", "node_modules/*",
             "--ignore", "tests/*", "--ignore", "benchmarks/*"],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        catalogue = polib.pofile(str(PO))
        waiting: dict[str, str] = {}
        for path in sorted(INCOMING.glob("*.json")):
            waiting.update(json.loads(path.read_text(encoding="utf-8")))
        missing = []
        for entry in catalogue:
            wanted = waiting.get(entry.msgid)
            if wanted is not None and entry.msgid_plural and isinstance(wanted, list):
                # a plural: {"English singular": ["Indonesian form", ...]} (Indonesian has one)
                if not all(entry.msgstr_plural.values()) or "fuzzy" in entry.flags:
                    entry.msgstr_plural = dict(enumerate(wanted))
            elif wanted is not None and (not entry.msgstr or "fuzzy" in entry.flags):
                entry.msgstr = wanted
            if wanted is not None and "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            if entry.msgid_plural:
                if not all(entry.msgstr_plural.values()):
                    missing.append(entry.msgid)
            elif not entry.msgstr or "fuzzy" in entry.flags:
                missing.append(entry.msgid)
        catalogue.save(str(PO))
        catalogue.save_as_mofile(str(PO.with_suffix(".mo")))
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(catalogue)} strings, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
