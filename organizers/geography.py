"""Indonesia's 38 provinces and their time zones (WIB UTC+7, WITA UTC+8, WIT UTC+9). A venue's
time zone is derived from its province and stays editable."""

from __future__ import annotations

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"

PROVINCE_TIME_ZONES: dict[str, str] = {
    **dict.fromkeys(
        (
            "Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Kepulauan Riau", "Jambi",
            "Bengkulu", "Sumatera Selatan", "Kepulauan Bangka Belitung", "Lampung", "Banten",
            "DKI Jakarta", "Jawa Barat", "Jawa Tengah", "DI Yogyakarta", "Jawa Timur",
            "Kalimantan Barat", "Kalimantan Tengah",
        ),
        WIB,
    ),
    **dict.fromkeys(
        (
            "Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Selatan",
            "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara", "Gorontalo",
            "Sulawesi Tengah", "Sulawesi Barat", "Sulawesi Selatan", "Sulawesi Tenggara",
        ),
        WITA,
    ),
    **dict.fromkeys(
        (
            "Maluku", "Maluku Utara", "Papua", "Papua Barat", "Papua Barat Daya",
            "Papua Tengah", "Papua Pegunungan", "Papua Selatan",
        ),
        WIT,
    ),
}  # fmt: skip

PROVINCE_CHOICES = [(name, name) for name in sorted(PROVINCE_TIME_ZONES)]


def time_zone_for_province(province: str) -> str:
    return PROVINCE_TIME_ZONES.get(province, WIB)
