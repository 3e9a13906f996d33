"""Programme services: the rules the organiser's pages rely on. Every refusal writes nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from organizers.models import Programme
from organizers.services.programmes import programme_create, programme_update
from tenants.errors import ApplicationError
from tenants.models import VaccineBrand
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_programme


def test_programme_create_sorts_and_deduplicates_vaccines_and_doses(
    alpha: OrganizerFixture,
) -> None:
    programme = programme_create(
        name="  Vaksinasi Karyawan ",
        kind="company",
        vaccine_brands=["sinovac", "pfizer", "sinovac"],
        doses=[3, 1, 3],
    )

    stored = Programme.objects.get(id=programme.id)
    assert (stored.name, stored.vaccine_brands, stored.doses, stored.is_active) == (
        "Vaksinasi Karyawan",
        ["pfizer", "sinovac"],
        [1, 3],
        True,
    )


def test_programme_create_without_a_vaccine_list_leaves_the_choice_for_later(
    alpha: OrganizerFixture,
) -> None:
    # The sign-up's first programme: nobody has chosen vaccines yet.
    programme = programme_create(name="Klinik Sehat", kind="public")

    assert programme.vaccine_brands == []


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ({"vaccine_brands": []}, "vaccine_brands", "Pilih paling sedikit satu vaksin."),
        ({"vaccine_brands": ["flu-x", "sinovac"]}, "vaccine_brands", "Vaksin tidak dikenal: flu-x"),
        ({"vaccine_brands": ["retired"]}, "vaccine_brands", "Vaksin tidak dikenal: retired"),
        ({"name": "  "}, "name", None),
        ({"kind": "private"}, "kind", None),
        ({"doses": [4]}, "doses", None),
    ],
)
def test_programme_create_refuses_with_the_field_and_writes_nothing(
    arguments: dict[str, object], field: str, message: str | None, alpha: OrganizerFixture
) -> None:
    VaccineBrand.objects.create(code="retired", name="Retired Vaccine", is_active=False)
    fields = {"name": "Vaksinasi Umum", "kind": "public", "vaccine_brands": ["sinovac"]}

    with translation.override("id"), pytest.raises(ApplicationError) as refused:
        programme_create(**{**fields, **arguments})

    assert refused.value.code == "invalid"
    assert list(refused.value.extra) == [field]
    if message is not None:
        assert [str(text) for text in refused.value.extra[field]] == [message]
    assert not Programme.objects.exists()


def test_programme_update_keeps_a_retired_vaccine_but_does_not_add_one(
    alpha: OrganizerFixture,
) -> None:
    VaccineBrand.objects.create(code="retired", name="Retired Vaccine", is_active=False)
    VaccineBrand.objects.create(code="old", name="Old Vaccine", is_active=False)
    programme = a_programme(vaccine_brands=["retired"])

    programme_update(programme=programme, vaccine_brands=["retired", "pfizer"])
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        programme_update(programme=programme, vaccine_brands=["old", "pfizer"])

    assert refused.value.extra == {"vaccine_brands": ["Unknown vaccine: old"]}
    programme.refresh_from_db()
    assert programme.vaccine_brands == ["pfizer", "retired"]


def test_a_refused_update_leaves_the_instance_and_the_row_as_they_were(
    alpha: OrganizerFixture,
) -> None:
    programme = a_programme(name="Vaksinasi Umum")

    with pytest.raises(ApplicationError):
        programme_update(programme=programme, name="", is_active=False)

    assert (programme.name, programme.is_active) == ("Vaksinasi Umum", True)
    programme.refresh_from_db()
    assert (programme.name, programme.is_active) == ("Vaksinasi Umum", True)


def test_programme_update_changes_only_what_is_given(alpha: OrganizerFixture) -> None:
    programme = a_programme(name="Vaksinasi Umum", doses=[1, 2])

    programme_update(programme=programme, is_active=False)

    programme.refresh_from_db()
    assert (programme.name, programme.doses, programme.is_active) == (
        "Vaksinasi Umum",
        [1, 2],
        False,
    )
