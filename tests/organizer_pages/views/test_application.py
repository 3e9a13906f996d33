"""The organiser's application page (/kelola/pengajuan/) and the checklist on /kelola/, through
the test client: a draft saved and resumed, refusals shown next to their fields in the
person's language, submission, and another organiser's owner kept out."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.test import Client

from applications.models import OrganiserApplication
from tenants.models import Membership, Tenant, User
from tests.applications.documents import documents_received
from tests.applications.test_services import COMPLETE_CLINIC
from tests.conftest import OrganizerFixture, host_client

PAGE = "/kelola/pengajuan/"


def _post(client: Client, fields: dict[str, str], action: str = "save") -> object:
    return client.post(PAGE, {**fields, "action": action})


def _waiting(organizer: OrganizerFixture) -> None:
    """A new organiser, its application not sent yet."""
    Tenant.objects.filter(pk=organizer.tenant.pk).update(review_status=Tenant.ReviewStatus.DRAFT)
    organizer.tenant.refresh_from_db()


def test_a_draft_is_saved_and_resumed(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    saved = _post(
        client,
        {
            "legal_name": "PT Klinik Alpha Sehat",
            "npwp": "012345678901000",
            "province_code": "32",
            "regency_code": "32.73",
            "contact_phone": "081234567890",
        },
    )

    assert saved.status_code == 302
    assert saved["Location"] == PAGE
    body = client.get(PAGE).content.decode()
    assert "Pengajuan Anda disimpan sebagai draf." in body
    assert 'value="PT Klinik Alpha Sehat"' in body
    assert 'value="01.234.567.8-901.000"' in body  # as people write it
    assert 'value="+62 812-3456-7890"' in body
    assert '<option value="32" selected>Jawa Barat</option>' in body
    assert '<option value="32.73" selected>Kota Bandung</option>' in body
    assert '<script src="/static/organizer_pages/application_areas.js" defer></script>' in body
    # What submission still needs is listed.
    assert "<li>Jenis organisasi</li>" in body
    stored = OrganiserApplication.objects.get(tenant=tenant_a.tenant)
    assert (stored.npwp, stored.contact_phone) == ("012345678901000", "+6281234567890")


def test_wrong_values_are_shown_next_to_their_fields_in_indonesian(
    tenant_a: OrganizerFixture,
) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = _post(
        client,
        {
            "legal_name": "PT Klinik Alpha Sehat",
            "npwp": "01.234.567.8",
            "nib": "12345",
            "province_code": "31",
            "regency_code": "32.73",
        },
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="field has-error"' in body
    assert "NPWP terdiri dari 15 angka (atau 16 dalam format baru); yang ini 9 angka." in body
    assert "NIB (dari OSS) terdiri dari 13 angka; yang ini 5 angka." in body
    assert "Kabupaten atau kota ini tidak berada di provinsi yang dipilih." in body
    assert 'value="PT Klinik Alpha Sehat"' in body  # what was typed stays
    assert not OrganiserApplication.objects.filter(tenant=tenant_a.tenant).exists()


def test_the_same_refusal_in_english(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    body = _post(client, {"npwp": "01.234.567.8"}).content.decode()

    assert "An NPWP has 15 digits (or 16 in the new form); this one has 9 digits." in body


def test_submitting_an_incomplete_draft_saves_it_and_marks_what_is_needed(
    tenant_a: OrganizerFixture,
) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = _post(client, {"legal_name": "PT Klinik Alpha Sehat"}, action="submit")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("Wajib diisi sebelum Anda mengajukan.") == 8
    stored = OrganiserApplication.objects.get(tenant=tenant_a.tenant)
    assert stored.legal_name == "PT Klinik Alpha Sehat"
    assert stored.submitted_at is None


def test_a_complete_application_is_submitted_and_then_shown_as_sent(
    tenant_a: OrganizerFixture,
) -> None:
    _waiting(tenant_a)
    documents_received(tenant_a.tenant)
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = _post(client, COMPLETE_CLINIC, action="submit")

    assert response.status_code == 302
    tenant_a.tenant.refresh_from_db()
    assert tenant_a.tenant.review_status == Tenant.ReviewStatus.SUBMITTED
    body = client.get(PAGE).content.decode()
    assert "Pengajuan Anda sudah dikirim. Staf platform akan meninjaunya." in body
    assert 'name="action"' not in body  # no form: it waits for review as sent
    assert "application_areas.js" not in body
    assert "Kota Bandung" in body
    assert "01.234.567.8-901.000" in body
    refused = _post(client, {**COMPLETE_CLINIC, "legal_name": "Other"})
    assert refused.status_code == 200
    assert "saat ini tidak dapat diubah" in refused.content.decode()
    assert OrganiserApplication.objects.get(tenant=tenant_a.tenant).legal_name == (
        "PT Klinik Alpha Sehat"
    )


def test_another_organisers_owner_neither_sees_nor_saves_it(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    _post(host_client(tenant_a.host, user=tenant_a.owner), COMPLETE_CLINIC)
    intruder = host_client(tenant_a.host, user=tenant_b.owner)

    assert intruder.get(PAGE).status_code == 404
    assert _post(intruder, {"legal_name": "Taken over"}).status_code == 404
    own_page = host_client(tenant_b.host, user=tenant_b.owner).get(PAGE).content.decode()

    assert "PT Klinik Alpha Sehat" not in own_page
    assert OrganiserApplication.objects.get(tenant=tenant_a.tenant).legal_name == (
        "PT Klinik Alpha Sehat"
    )
    assert not OrganiserApplication.objects.filter(tenant=tenant_b.tenant).exists()


def test_check_in_staff_cannot_open_it(
    tenant_a: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    staff = make_member(tenant_a, Membership.Role.CHECKIN_STAFF, "pintu@alpha.test")

    response = _post(host_client(tenant_a.host, user=staff), COMPLETE_CLINIC)

    assert response.status_code == 404
    assert not OrganiserApplication.objects.filter(tenant=tenant_a.tenant).exists()


def test_the_dashboard_lists_what_is_left_with_links(
    tenant_a: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    _waiting(tenant_a)

    body = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/").content.decode()

    assert "Sebelum mulai melayani" in body
    assert "Tinggal 7 langkah." in body
    assert '<a href="/kelola/dokumen/">' in body
    assert '<a href="/kelola/pengajuan/">Data organisasi Anda</a>' in body
    assert '<a href="/kelola/lokasi/">Sebuah lokasi</a>' in body
    assert '<a href="/kelola/tampilan/">Tampilan halaman pendaftaran Anda</a>' in body
    staff = make_member(tenant_a, Membership.Role.CHECKIN_STAFF, "pintu@alpha.test")
    staff_page = host_client(tenant_a.host, user=staff).get("/kelola/").content.decode()
    assert "Sebelum mulai melayani" not in staff_page
