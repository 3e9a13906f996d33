"""Indonesia's administrative areas as shipped: 38 provinces, 514 regencies and cities, official
codes, each regency under its province."""

from __future__ import annotations

from applications import areas


def test_the_list_has_every_province_and_regency_of_the_2025_decree() -> None:
    shipped = areas.areas()

    assert len(shipped.provinces) == 38
    assert sum(len(rows) for rows in shipped.regencies.values()) == 514
    # The four Papua provinces of 2022.
    assert {code for code, _name in areas.province_choices()} >= {"93", "94", "95", "96"}


def test_codes_are_kemendagri_codes_under_their_province() -> None:
    for province, rows in areas.areas().regencies.items():
        assert len(province) == 2
        assert rows, province
        for regency in rows:
            assert regency.code.startswith(f"{province}.")
            assert len(regency.code) == 5


def test_names_by_code() -> None:
    assert areas.area_name("32") == "Jawa Barat"
    assert areas.area_name("32.73") == "Kota Bandung"
    assert areas.area_name("99") == ""


def test_a_regency_belongs_to_one_province() -> None:
    assert areas.regency_in_province(regency_code="32.73", province_code="32")
    assert not areas.regency_in_province(regency_code="32.73", province_code="31")
    assert areas.regency_choices("31")[0][0].startswith("31.")


def test_the_data_names_its_source() -> None:
    assert "Kepmendagri No. 300.2.2-2138 Tahun 2025" in areas.DATA.read_text(encoding="utf-8")
