"""Saving the application's draft and submitting it (applications.services), in the public
schema: what is stored, what is refused (and that a refusal writes nothing)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from django.utils import translation

from applications.models import OrganiserApplication
from applications.selectors import (
    application_documents_missing,
    application_editable,
    application_missing,
)
from applications.services import application_draft_save, application_submit
from documents.models import Document, DocumentType
from tenants.errors import ApplicationError, ConflictError
from tenants.models import AuditEntry, Membership, Tenant
from tests.applications.documents import documents_received
from tests.conftest import OrganizerFixture
from tests.organizers.concurrency import run_at_once

COMPLETE_CLINIC = {
    "legal_name": "PT Klinik Alpha Sehat",
    "kind": "clinic",
    "npwp": "01.234.567.8-901.000",
    "nib": "9120001234567",
    "address": "Jl. Asia Afrika No. 8",
    "province_code": "32",
    "regency_code": "32.73",
    "contact_name": "Siti Rahma",
    "contact_phone": "0812 3456 7890",
}


def _saved(organizer: OrganizerFixture) -> OrganiserApplication:
    return OrganiserApplication.objects.get(tenant=organizer.tenant)


def test_a_draft_is_saved_as_far_as_it_goes_in_its_stored_form(tenant_a: OrganizerFixture) -> None:
    application_draft_save(
        tenant=tenant_a.tenant,
        by=tenant_a.owner,
        changes={"legal_name": " PT Klinik Alpha Sehat ", "npwp": "01.234.567.8-901.000"},
    )

    saved = _saved(tenant_a)
    assert (saved.legal_name, saved.npwp, saved.kind) == (
        "PT Klinik Alpha Sehat",
        "012345678901000",
        "",
    )
    assert saved.updated_by == tenant_a.owner
    assert saved.submitted_at is None


def test_a_later_save_keeps_the_fields_it_does_not_name(tenant_a: OrganizerFixture) -> None:
    application_draft_save(tenant=tenant_a.tenant, by=tenant_a.owner, changes=COMPLETE_CLINIC)
    application_draft_save(
        tenant=tenant_a.tenant, by=tenant_a.owner, changes={"contact_phone": "+62 21 555 1234"}
    )

    saved = _saved(tenant_a)
    assert saved.contact_phone == "+62215551234"
    assert saved.legal_name == "PT Klinik Alpha Sehat"
    assert saved.regency_code == "32.73"
    assert OrganiserApplication.objects.filter(tenant=tenant_a.tenant).count() == 1


def test_every_wrong_field_is_named_and_nothing_is_saved(tenant_a: OrganizerFixture) -> None:
    with translation.override("id"), pytest.raises(ApplicationError) as refused:
        application_draft_save(
            tenant=tenant_a.tenant,
            by=tenant_a.owner,
            changes={
                "legal_name": "PT Klinik Alpha Sehat",
                "npwp": "01.234.567",
                "nib": "12345",
                "contact_phone": "+1 202 555 0123",
                "kind": "bank",
                "province_code": "32",
                "regency_code": "31.71",
            },
        )

    assert refused.value.code == "invalid"
    assert refused.value.extra == {
        "npwp": ["NPWP terdiri dari 15 angka (atau 16 dalam format baru); yang ini 8 angka."],
        "nib": ["NIB (dari OSS) terdiri dari 13 angka; yang ini 5 angka."],
        "contact_phone": [
            "Tulis nomor telepon Indonesia, misalnya 0812 3456 7890 atau +62 21 555 1234."
        ],
        "kind": ["Pilih salah satu jenis yang tersedia."],
        "regency_code": ["Kabupaten atau kota ini tidak berada di provinsi yang dipilih."],
    }
    assert not OrganiserApplication.objects.filter(tenant=tenant_a.tenant).exists()


def test_a_new_province_is_checked_against_the_saved_regency(tenant_a: OrganizerFixture) -> None:
    application_draft_save(tenant=tenant_a.tenant, by=tenant_a.owner, changes=COMPLETE_CLINIC)

    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        application_draft_save(
            tenant=tenant_a.tenant, by=tenant_a.owner, changes={"province_code": "35"}
        )

    assert refused.value.extra == {
        "regency_code": ["This regency or city is not in the chosen province."]
    }
    assert _saved(tenant_a).province_code == "32"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"province_code": "99"}, "province_code", "Choose a province from the list."),
        (
            {"province_code": "32", "regency_code": "32.99"},
            "regency_code",
            "Choose a regency or city from the list.",
        ),
        ({"legal_name": "x" * 201}, "legal_name", "At most 200 characters."),
        ({"owner": "someone"}, "owner", "This field does not exist."),
    ],
)
def test_areas_and_lengths_are_checked(
    tenant_a: OrganizerFixture, changes: dict[str, str], field: str, message: str
) -> None:
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        application_draft_save(tenant=tenant_a.tenant, by=tenant_a.owner, changes=changes)

    assert refused.value.extra == {field: [message]}


def test_what_submission_needs_depends_on_the_kind(tenant_a: OrganizerFixture) -> None:
    application = application_draft_save(
        tenant=tenant_a.tenant, by=tenant_a.owner, changes={**COMPLETE_CLINIC, "nib": ""}
    )
    assert list(application_missing(application)) == ["nib"]

    application = application_draft_save(
        tenant=tenant_a.tenant, by=tenant_a.owner, changes={"kind": "puskesmas"}
    )
    assert list(application_missing(application)) == []

    application = application_draft_save(
        tenant=tenant_a.tenant, by=tenant_a.owner, changes={"kind": "company"}
    )
    assert list(application_missing(application)) == [
        "nib",
        "partner_facility_name",
        "partner_facility_address",
    ]


def test_an_incomplete_application_is_not_submitted(tenant_a: OrganizerFixture) -> None:
    application_draft_save(
        tenant=tenant_a.tenant, by=tenant_a.owner, changes={"legal_name": "PT Klinik Alpha"}
    )

    with translation.override("id"), pytest.raises(ConflictError) as refused:
        application_submit(tenant=tenant_a.tenant, by=tenant_a.owner)

    assert refused.value.code == "application_incomplete"
    assert set(refused.value.extra) == {
        "kind",
        "npwp",
        "nib",
        "address",
        "province_code",
        "regency_code",
        "contact_name",
        "contact_phone",
    }
    assert refused.value.extra["npwp"] == ["Wajib diisi sebelum Anda mengajukan."]
    assert _saved(tenant_a).submitted_at is None


def test_no_application_at_all_is_incomplete_and_creates_nothing(
    tenant_a: OrganizerFixture,
) -> None:
    with pytest.raises(ConflictError) as refused:
        application_submit(tenant=tenant_a.tenant, by=tenant_a.owner)

    assert refused.value.code == "application_incomplete"
    assert not OrganiserApplication.objects.filter(tenant=tenant_a.tenant).exists()


def test_it_is_not_submitted_while_a_document_is_missing(tenant_a: OrganizerFixture) -> None:
    tenant = _in_draft(tenant_a)
    application_draft_save(tenant=tenant, by=tenant_a.owner, changes=COMPLETE_CLINIC)
    licence = documents_received(tenant)[-1]  # recommendation, NIB, operating licence
    licence.state = Document.State.REFUSED  # the worker refused the file
    licence.save(update_fields=["state"])

    with translation.override("id"), pytest.raises(ConflictError) as refused:
        application_submit(tenant=tenant, by=tenant_a.owner)

    name = licence.document_type.name_id
    assert refused.value.code == "documents_missing"
    assert refused.value.extra == {"documents": [name]}
    assert str(refused.value.message) == f"Beberapa dokumen perizinan belum diterima: {name}."
    assert _saved(tenant_a).submitted_at is None
    tenant.refresh_from_db()
    assert tenant.review_status == Tenant.ReviewStatus.DRAFT


def test_a_company_programme_needs_its_partner_agreement_too(tenant_a: OrganizerFixture) -> None:
    tenant = _in_draft(tenant_a)
    documents_received(tenant)  # what a clinic needs

    assert application_documents_missing(tenant=tenant) == []
    with translation.override("en"):
        assert application_documents_missing(tenant=tenant, company=True) == [
            DocumentType.objects.get(code="partner_agreement").name_en
        ]


def test_a_complete_application_is_submitted_and_then_waits_unchanged(
    tenant_a: OrganizerFixture,
) -> None:
    tenant = _in_draft(tenant_a)
    application_draft_save(tenant=tenant, by=tenant_a.owner, changes=COMPLETE_CLINIC)
    documents_received(tenant)

    submitted = application_submit(tenant=tenant, by=tenant_a.owner)

    assert submitted.submitted_at is not None
    assert submitted.submitted_by == tenant_a.owner
    assert tenant.review_status == Tenant.ReviewStatus.SUBMITTED  # the lifecycle's transition
    assert AuditEntry.objects.filter(tenant=tenant, action="organiser.submit").count() == 1
    assert not application_editable(tenant=tenant, application=submitted)
    with pytest.raises(ConflictError) as refused:
        application_draft_save(tenant=tenant, by=tenant_a.owner, changes={"legal_name": "Other"})
    assert refused.value.code == "application_submitted"
    with pytest.raises(ConflictError) as again:
        application_submit(tenant=tenant, by=tenant_a.owner)
    assert again.value.code == "application_submitted"
    assert _saved(tenant_a).legal_name == "PT Klinik Alpha Sehat"


def test_an_organiser_approved_before_applications_keeps_its_state(
    tenant_a: OrganizerFixture,
) -> None:
    tenant = tenant_a.tenant  # approved (the suite's organisers were approved at sign-up)
    application_draft_save(tenant=tenant, by=tenant_a.owner, changes=COMPLETE_CLINIC)
    documents_received(tenant)

    application_submit(tenant=tenant, by=tenant_a.owner)

    tenant.refresh_from_db()
    assert tenant.review_status == Tenant.ReviewStatus.APPROVED
    assert _saved(tenant_a).submitted_at is not None


def test_sent_back_for_changes_it_is_edited_and_submitted_again(
    tenant_a: OrganizerFixture,
) -> None:
    tenant = _in_draft(tenant_a)
    application_draft_save(tenant=tenant, by=tenant_a.owner, changes=COMPLETE_CLINIC)
    documents_received(tenant)
    application_submit(tenant=tenant, by=tenant_a.owner)
    Tenant.objects.filter(pk=tenant.pk).update(
        review_status=Tenant.ReviewStatus.CHANGES_REQUESTED  # as staff's decision leaves it
    )
    tenant.refresh_from_db()

    application_draft_save(tenant=tenant, by=tenant_a.owner, changes={"nib": "9120001234568"})
    application_submit(tenant=tenant, by=tenant_a.owner)

    tenant.refresh_from_db()
    assert tenant.review_status == Tenant.ReviewStatus.SUBMITTED
    assert _saved(tenant_a).nib == "9120001234568"


def _in_draft(organizer: OrganizerFixture) -> Tenant:
    """A new organiser's state: its application not sent yet."""
    tenant = organizer.tenant
    Tenant.objects.filter(pk=tenant.pk).update(review_status=Tenant.ReviewStatus.DRAFT)
    tenant.refresh_from_db()
    return tenant


def test_two_first_saves_at_once_make_one_application_with_both(
    committed: Callable[[Callable], None],
) -> None:
    """Two tabs save the first draft together (real threads, committed data): one row, each
    field saved, no error."""
    tenant = Tenant.objects.get(slug="alpha")
    owner = Membership.objects.get(tenant=tenant, role="owner").user
    committed(lambda: OrganiserApplication.objects.filter(tenant=tenant).delete())
    fields = [{"legal_name": "PT Klinik Alpha Sehat"}, {"npwp": "01.234.567.8-901.000"}]

    outcomes = run_at_once(
        2,
        lambda index: str(
            application_draft_save(tenant=tenant, by=owner, changes=fields[index]).pk
        ),
    )

    saved = OrganiserApplication.objects.get(tenant=tenant)
    assert outcomes == Counter({str(saved.pk): 2})
    assert (saved.legal_name, saved.npwp) == ("PT Klinik Alpha Sehat", "012345678901000")
