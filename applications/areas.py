"""Indonesia's administrative areas: the 38 provinces and 514 regencies (kabupaten) and cities
(kota) with their official codes, as set by the Minister of Home Affairs (Kepmendagri No.
300.2.2-2138 Tahun 2025). Shipped with the project in data/administrative_areas.json, whose
"source" names where the list was taken from (docs/adr/0014-organiser-applications.md says why
it is committed data rather than a package).

Codes are the Kemendagri ones: a province "32", a regency or city "32.73" (its province's
code, a dot, two digits). Reference data that changes by decree, a few times a decade: read
once per process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "administrative_areas.json"


@dataclass(frozen=True)
class Area:
    code: str
    name: str


@dataclass(frozen=True)
class Areas:
    provinces: tuple[Area, ...]
    regencies: dict[str, tuple[Area, ...]]  # by province code
    names: dict[str, str]  # any code -> its name


@cache
def areas() -> Areas:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    provinces = tuple(Area(p["code"], p["name"]) for p in data["provinces"])
    regencies = {
        p["code"]: tuple(Area(r["code"], r["name"]) for r in p["regencies"])
        for p in data["provinces"]
    }
    names = {area.code: area.name for area in provinces}
    names.update({r.code: r.name for rows in regencies.values() for r in rows})
    return Areas(provinces=provinces, regencies=regencies, names=names)


def province_choices() -> list[tuple[str, str]]:
    return [(area.code, area.name) for area in areas().provinces]


def regency_choices(province_code: str | None = None) -> list[tuple[str, str]]:
    """The regencies and cities of a province; of every province when none is given."""
    found = areas().regencies
    codes = [province_code] if province_code else list(found)
    return [(area.code, area.name) for code in codes for area in found.get(code, ())]


def area_name(code: str) -> str:
    """The official name of a province's or regency's code, or "" for an unknown code."""
    return areas().names.get(code, "")


def is_province(code: str) -> bool:
    return code in areas().regencies


def regency_in_province(*, regency_code: str, province_code: str) -> bool:
    return any(area.code == regency_code for area in areas().regencies.get(province_code, ()))
