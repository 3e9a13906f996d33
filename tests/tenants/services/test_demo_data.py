"""The demo data of the one-command run: complete, and idempotent."""

from __future__ import annotations

from django.core.management import call_command

from tenants.context import tenant_scope
from tenants.models import Membership, ReviewItem, Tenant, User


def test_seed_creates_two_organisers_with_venues_a_week_of_slots_and_logins(
    db: None, capsys
) -> None:
    from organizers.models import Programme, Slot, Venue

    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "staff@sentra.localhost" in out
    assert "Password for every demo login: sentra-demo-2026" in out
    assert User.objects.get(email="staff@sentra.localhost").is_staff
    demo = Tenant.objects.get(slug="demo")
    acme = Tenant.objects.get(slug="acme")
    assert (demo.name, acme.name) == ("Demo Vaccine Centre", "Acme Corp")
    assert demo.review_status == acme.review_status == "approved"
    waiting = ReviewItem.objects.get(kind="venue", tenant=demo, state="pending")
    assert waiting.name == "Posko Vaksinasi Bekasi (menunggu pemeriksaan)"
    assert Membership.objects.get(tenant=demo, role="owner").user.email == "owner@demo.localhost"
    for tenant, kind in ((demo, "public"), (acme, "company")):
        with tenant_scope(tenant):
            assert list(Programme.objects.values_list("kind", flat=True)) == [kind]
            assert Venue.objects.filter(status="approved").count() == 2
            days = {
                slot.starts_at.astimezone(slot.starts_at.tzinfo).date()
                for slot in Slot.objects.all()
            }
            assert len(days) == 7
            assert list(Venue.objects.exclude(status="approved").values_list("status")) == (
                [("pending",)] if kind == "public" else []
            )
            # 08:00 to 15:00 in 30-minute slots, lunch 12:00-13:00: 12 a day, per venue.
            assert Slot.objects.count() == 2 * 7 * 12


def test_seeding_again_keeps_existing_data_and_booked_seats(db: None) -> None:
    from organizers.models import Slot

    call_command("seed_demo")
    demo = Tenant.objects.get(slug="demo")
    with tenant_scope(demo):
        slot = Slot.objects.order_by("starts_at").first()
        Slot.objects.filter(pk=slot.pk).update(booked=5)
        count = Slot.objects.count()

    call_command("seed_demo")

    assert Tenant.objects.filter(slug="demo").count() == 1
    with tenant_scope(demo):
        assert Slot.objects.count() == count
        assert Slot.objects.get(pk=slot.pk).booked == 5
