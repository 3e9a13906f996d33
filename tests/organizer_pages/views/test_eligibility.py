"""The organiser's eligibility pages: who may book, the employee list (roster) and invites.
Through the test client in Bahasa Indonesia (the default); refusals re-show the page with the
message and write nothing; another organiser's programme is "not here"."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from organizers.models import AgeRule, Invite, Message, Programme, RosterEntry, RosterImport
from organizers.services.eligibility.invites import invites_create
from organizers.services.eligibility.roster import roster_import
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_programme

SITI = "3273015403580002"
BUDI = "3173021705600011"


def _company(tenant: OrganizerFixture, **fields: object) -> Programme:
    with tenant_scope(tenant.tenant):
        return a_programme(name="Vaksinasi Karyawan", kind="company", **fields)


def test_the_programme_page_links_to_who_may_book(tenant_a: OrganizerFixture) -> None:
    programme = _company(tenant_a)
    page = host_client(tenant_a.host, tenant_a.owner).get(f"/kelola/program/{programme.id}/")

    html = page.content.decode()
    assert f'href="/kelola/program/{programme.id}/siapa-boleh/"' in html
    assert f'href="/kelola/program/{programme.id}/karyawan/"' in html
    assert f'href="/kelola/program/{programme.id}/undangan/"' in html


def test_company_settings_are_saved(tenant_a: OrganizerFixture) -> None:
    programme = _company(tenant_a)
    client = host_client(tenant_a.host, tenant_a.owner)
    url = f"/kelola/program/{programme.id}/siapa-boleh/"
    assert "Siapa yang boleh mendaftar" in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "uses_roster": "on",
            "asks_employee_number": "on",
            "allowed_email_domains": "@Acme.co.id\nacme-group.com",
            "quota": "250",
        },
    )

    assert response.status_code == 302
    with tenant_scope(tenant_a.tenant):
        programme.refresh_from_db()
    assert programme.uses_roster
    assert programme.asks_employee_number
    assert not programme.uses_invites
    assert programme.allowed_email_domains == ["acme.co.id", "acme-group.com"]
    assert programme.quota == 250


def test_a_bad_domain_or_quota_is_shown_and_nothing_saved(tenant_a: OrganizerFixture) -> None:
    programme = _company(tenant_a)
    client = host_client(tenant_a.host, tenant_a.owner)
    url = f"/kelola/program/{programme.id}/siapa-boleh/"

    bad_domain = client.post(url, {"allowed_email_domains": "acme\nbukan domain!"})
    bad_quota = client.post(url, {"quota": "0", "uses_roster": "on"})

    assert bad_domain.status_code == 200
    assert "bukan domain!" in bad_domain.content.decode()
    assert bad_quota.status_code == 200
    with tenant_scope(tenant_a.tenant):
        programme.refresh_from_db()
    assert programme.allowed_email_domains == []
    assert not programme.uses_roster


def test_public_age_groups_are_added_and_removed(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        programme = a_programme()
    client = host_client(tenant_a.host, tenant_a.owner)
    url = f"/kelola/program/{programme.id}/siapa-boleh/"

    client.post(url, {"min_age": "60", "max_age": "", "opens_on": "2030-07-01"})
    client.post(url, {"min_age": "18", "max_age": "59", "opens_on": "2030-07-05"})
    refused = client.post(url, {"min_age": "59", "max_age": "18", "opens_on": "2030-07-05"})

    assert refused.status_code == 200
    html = client.get(url).content.decode()
    assert "Usia 60 tahun ke atas" in html
    assert "18\u201359" in html
    assert "5 Juli 2030" in html
    with tenant_scope(tenant_a.tenant):
        rule = AgeRule.objects.get(programme=programme, min_age=60)
        assert AgeRule.objects.filter(programme=programme).count() == 2
    gone = client.post(f"{url}usia/{rule.id}/hapus/")
    assert gone.status_code == 302
    with tenant_scope(tenant_a.tenant):
        assert AgeRule.objects.filter(programme=programme).count() == 1


def test_a_roster_entry_is_removed_from_the_list(tenant_a: OrganizerFixture) -> None:
    programme = _company(tenant_a, uses_roster=True)
    with tenant_scope(tenant_a.tenant):
        roster_import(programme, content=f"NIK,Nama\n{SITI},Siti Aminah\n{BUDI},Budi\n".encode())
        siti = RosterEntry.objects.get(full_name="Siti Aminah")
    client = host_client(tenant_a.host, tenant_a.owner)
    url = f"/kelola/program/{programme.id}/karyawan/"

    deleted = client.post(f"{url}{siti.id}/hapus/")

    assert deleted.status_code == 302
    with tenant_scope(tenant_a.tenant):
        assert list(RosterEntry.objects.values_list("full_name", flat=True)) == ["Budi"]


def test_an_html_file_posing_as_csv_is_refused_with_nothing_written(
    tenant_a: OrganizerFixture,
) -> None:
    programme = _company(tenant_a, uses_roster=True)
    client = host_client(tenant_a.host, tenant_a.owner)
    fake = SimpleUploadedFile(
        "daftar.csv", b"<html><script>alert(1)</script>NIK,Nama</html>", content_type="text/csv"
    )

    response = client.post(f"/kelola/program/{programme.id}/karyawan/", {"file": fake})

    assert response.status_code == 400
    assert "bukan file CSV atau Excel" in response.content.decode()
    assert "<script>alert(1)" not in response.content.decode()
    with tenant_scope(tenant_a.tenant):
        assert not RosterEntry.objects.exists()
        assert not RosterImport.objects.exists()


def test_invites_are_sent_listed_and_revoked(tenant_a: OrganizerFixture) -> None:
    programme = _company(tenant_a, uses_invites=True)
    client = host_client(tenant_a.host, tenant_a.owner)
    url = f"/kelola/program/{programme.id}/undangan/"

    sent = client.post(url, {"emails": "siti@acme.co.id\nbudi@acme.co.id\nsiti@acme.co.id"})
    bad = client.post(url, {"emails": "ani@acme.co.id\nbukan-email"})

    assert sent.status_code == 302
    assert bad.status_code == 400
    assert "bukan-email" in bad.content.decode()
    with tenant_scope(tenant_a.tenant):
        assert sorted(Invite.objects.values_list("email", flat=True)) == [
            "budi@acme.co.id",
            "siti@acme.co.id",
        ]
        assert Message.objects.filter(kind="invite").count() == 2
        siti = Invite.objects.get(email="siti@acme.co.id")
    assert client.post(f"{url}{siti.id}/cabut/").status_code == 302
    html = client.get(url).content.decode()
    assert "dicabut" in html
    assert "Email: Menunggu dikirim" in html  # the outbox delivers after the commit
    with tenant_scope(tenant_a.tenant):
        siti.refresh_from_db()
    assert siti.revoked_at is not None


def test_another_organisers_programme_and_objects_are_not_here(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    programme = _company(tenant_b, uses_roster=True, uses_invites=True)
    with tenant_scope(tenant_b.tenant):
        roster_import(programme, content=f"NIK,Nama\n{SITI},Siti\n".encode())
        entry = RosterEntry.objects.get()
        (invite,) = invites_create(programme, ["siti@beta.test"])
    # alpha's owner, on alpha's host, with beta's ids; and beta's programme id on alpha.
    client = host_client(tenant_a.host, tenant_a.owner)
    base = f"/kelola/program/{programme.id}"
    for path in (f"{base}/siapa-boleh/", f"{base}/karyawan/", f"{base}/undangan/"):
        assert client.get(path).status_code == 404
    for path in (f"{base}/karyawan/{entry.id}/hapus/", f"{base}/undangan/{invite.id}/cabut/"):
        assert client.post(path).status_code == 404
    with tenant_scope(tenant_b.tenant):
        assert RosterEntry.objects.count() == 1
        assert Invite.objects.get().revoked_at is None


def test_check_in_staff_and_public_programmes_get_no_roster(
    tenant_a: OrganizerFixture, make_member: object
) -> None:
    staff = make_member(tenant_a, "checkin_staff", "checkin@alpha.test")  # type: ignore[operator]
    programme = _company(tenant_a)
    with tenant_scope(tenant_a.tenant):
        public = a_programme()

    assert (
        host_client(tenant_a.host, staff)
        .get(f"/kelola/program/{programme.id}/karyawan/")
        .status_code
        == 404
    )
    owner = host_client(tenant_a.host, tenant_a.owner)
    assert owner.get(f"/kelola/program/{public.id}/karyawan/").status_code == 404
    assert owner.get(f"/kelola/program/{public.id}/undangan/").status_code == 404


def test_pages_answer_in_english_too(tenant_a: OrganizerFixture) -> None:
    programme = _company(tenant_a)
    client = host_client(tenant_a.host, tenant_a.owner)
    client.cookies["__Host-sentra-language"] = "en"
    html = client.get(f"/kelola/program/{programme.id}/siapa-boleh/").content.decode()
    assert "Who may book Vaksinasi Karyawan" in html
