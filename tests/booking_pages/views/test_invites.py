"""Invite links to a company programme: one leads to its programme, fills in the email and
works once; a used or unknown link is not found."""

from __future__ import annotations

from organizers.models import Invite, Programme
from organizers.services.eligibility.invites import invite_token, invites_create
from tenants.context import tenant_scope
from tests.booking_pages.booking_steps import CONTACT, SITI, choose_time, press_book
from tests.conftest import OrganizerFixture, host_client


def test_an_invite_link_leads_to_its_programme_and_works_once(
    tenant_a: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_a.tenant):
        Programme.objects.filter(id=place["programme"].id).update(
            kind=Programme.Kind.COMPANY, uses_invites=True
        )
        programme = Programme.objects.get(id=place["programme"].id)
        token = invite_token(invites_create(programme, ["budi@acme.co.id"])[0])
    client = host_client(tenant_a.host)

    response = client.get(f"/undangan/{token}/")

    assert response["Location"] == f"/daftar/{programme.id}/"
    choose_time(client, place)
    client.post("/daftar/data-diri/", SITI)
    assert 'value="budi@acme.co.id"' in client.get("/daftar/kontak/").content.decode()
    client.post("/daftar/kontak/", {**CONTACT, "email": "budi@acme.co.id"})
    assert press_book(client).status_code == 302
    with tenant_scope(tenant_a.tenant):
        assert Invite.objects.get().used_at is not None
    again = host_client(tenant_a.host).get(f"/undangan/{token}/")
    assert again.status_code == 404
    assert "sudah dipakai" in again.content.decode()
    assert host_client(tenant_a.host).get("/undangan/" + "A" * 32 + "/").status_code == 404
