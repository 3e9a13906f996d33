"""The demo data of the one-command run: complete, and idempotent."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from tenants.context import tenant_scope
from tenants.models import Membership, Tenant, User


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
            # 08:00 to 15:00 in 30-minute slots: 14 a day, per venue.
            assert Slot.objects.count() == 2 * 7 * 14


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


def test_slots_are_made_in_the_venues_local_time(db: None) -> None:
    from organizers.services.venues import slots_generate_days, venue_create

    call_command("seed_demo")
    with tenant_scope(Tenant.objects.get(slug="acme")):
        venue = venue_create(
            name="Acme Jayapura", address="Jl. Ahmad Yani 1", city="Jayapura", province="Papua",
            time_zone="Asia/Jayapura",
        )  # fmt: skip
        created = slots_generate_days(
            venue=venue, first_day=dt.date(2026, 12, 1), days=1, opens=dt.time(8, 0),
            closes=dt.time(9, 0), slot_minutes=30, capacity=10,
        )  # fmt: skip
        again = slots_generate_days(
            venue=venue, first_day=dt.date(2026, 12, 1), days=1, opens=dt.time(8, 0),
            closes=dt.time(9, 0), slot_minutes=30, capacity=10,
        )  # fmt: skip
        first = venue.slots.order_by("starts_at").first()

    assert (created, again) == (2, 0)
    # 08:00 WIT is 23:00 UTC the day before.
    assert first.starts_at == dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC)
