"""The organiser's outbox page (/kelola/pesan/): delivery status per message, a filter by
status, and "send again" for a failed message. Owners and administrators only."""

from __future__ import annotations

from collections.abc import Callable

from organizers.models import Message
from tenants.context import tenant_scope
from tenants.models import User
from tests.conftest import OrganizerFixture, host_client, outbox_wake_pending
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def _messages(tenant: OrganizerFixture) -> tuple[Message, Message]:
    from organizers.services.booking.engine import booking_create

    with tenant_scope(tenant.tenant):
        programme = a_programme()
        slot = a_slot(venue=a_venue(), programme=programme)
        first = booking_create(
            programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
        )
        second = booking_create(
            programme_id=programme.id,
            slot_id=slot.id,
            dose=1,
            person=a_person(name="Budi Santoso"),
        )
        sent = Message.objects.get(booking_id=first.id)
        failed = Message.objects.get(booking_id=second.id)
        Message.objects.filter(id=sent.id).update(status="sent", attempts=1)
        Message.objects.filter(id=failed.id).update(
            status="failed", attempts=8, last_error="SMTPServerDisconnected: gone away"
        )
        sent.refresh_from_db()
        failed.refresh_from_db()
    return sent, failed


def test_owner_sees_each_message_with_its_status_attempts_and_error(
    tenant_a: OrganizerFixture,
) -> None:
    sent, failed = _messages(tenant_a)

    page = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/pesan/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Pesan kepada peserta" in html
    assert sent.booking.voucher_code in html
    assert failed.booking.voucher_code in html
    assert "SMTPServerDisconnected: gone away" in html
    assert "si••@example.id" in html
    assert "siti@example.id" not in html  # the address is masked
    assert "Terkirim" in html
    assert "Gagal" in html


def test_filter_by_status_shows_only_those_messages(tenant_a: OrganizerFixture) -> None:
    sent, failed = _messages(tenant_a)

    page = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/pesan/?status=failed")

    html = page.content.decode()
    assert failed.booking.voucher_code in html
    assert sent.booking.voucher_code not in html
    assert html.count("Kirim ulang") == 1


def test_send_again_queues_a_failed_message(tenant_a: OrganizerFixture) -> None:
    _sent, failed = _messages(tenant_a)
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = client.post(f"/kelola/pesan/{failed.id}/kirim-ulang/")

    assert response.status_code == 302
    assert response["Location"] == "/kelola/pesan/?status=failed"
    with tenant_scope(tenant_a.tenant):
        failed.refresh_from_db()
    # Pending again and not handed to Celery yet: the relay, woken after the commit, takes it.
    assert (failed.status, failed.attempts, failed.queued_at) == ("pending", 0, None)
    assert outbox_wake_pending(tenant_a.tenant.schema_name)
    followed = client.get(response["Location"]).content.decode()
    assert "Pesan akan dikirim ulang." in followed


def test_send_again_refuses_a_message_that_did_not_fail(tenant_a: OrganizerFixture) -> None:
    sent, _failed = _messages(tenant_a)
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = client.post(f"/kelola/pesan/{sent.id}/kirim-ulang/", follow=True)

    assert "Hanya pesan yang gagal yang dapat dikirim ulang." in response.content.decode()
    with tenant_scope(tenant_a.tenant):
        sent.refresh_from_db()
    assert sent.status == "sent"


def test_send_again_is_post_only(tenant_a: OrganizerFixture) -> None:
    _sent, failed = _messages(tenant_a)

    response = host_client(tenant_a.host, user=tenant_a.owner).get(
        f"/kelola/pesan/{failed.id}/kirim-ulang/"
    )

    assert response.status_code == 405
    with tenant_scope(tenant_a.tenant):
        failed.refresh_from_db()
    assert failed.status == "failed"


def test_another_organisers_owner_and_check_in_staff_cannot_see_or_resend(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    _sent, failed = _messages(tenant_a)
    checkin = make_member(tenant_a, "checkin_staff", "checkin@alpha.test")

    for user in (tenant_b.owner, checkin):
        client = host_client(tenant_a.host, user=user)
        assert client.get("/kelola/pesan/").status_code == 404
        assert client.post(f"/kelola/pesan/{failed.id}/kirim-ulang/").status_code == 404
    # The same id on the other organiser's own host is not this message.
    other = host_client(tenant_b.host, user=tenant_b.owner).post(
        f"/kelola/pesan/{failed.id}/kirim-ulang/", follow=True
    )

    assert "Hanya pesan yang gagal" in other.content.decode()
    with tenant_scope(tenant_a.tenant):
        failed.refresh_from_db()
    assert failed.status == "failed"
