"""Measure e-voucher rendering: the signed token, the QR code (PNG), the PDF, the calendar file
and the whole email (content, templates, MIME bytes), per booking. Prints p50/p95 in ms.

Runs inside one organiser's schema in a transaction that is rolled back: the throwaway venue,
slot, bookings and manage links it makes are never committed."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone, translation

from organizers.models import Booking, Message, Programme, Slot, Venue
from organizers.personal_data import person_key, seal
from organizers.selectors import vaccine_brand_names
from organizers.services.messages import mime
from organizers.services.vouchers.calendar_file import voucher_ics
from organizers.services.vouchers.facts import voucher_facts
from organizers.services.vouchers.rendering import voucher_pdf, voucher_qr_png
from organizers.services.vouchers.signed_token import voucher_token_issue
from tenants.context import tenant_scope
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Render N e-vouchers (token, QR, PDF, .ics, whole email); print p50/p95 in ms."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=200)
        parser.add_argument("--tenant", help="organiser slug (default: the first organiser)")

    def handle(self, *args: Any, **options: Any) -> None:
        organizers = Tenant.objects.organizers().order_by("id")
        if options["tenant"]:
            organizers = organizers.filter(slug=options["tenant"])
        tenant = organizers.first()
        if tenant is None:
            raise CommandError("No organiser tenant: run ./sentra run once (it seeds the demo).")
        timings: dict[str, list[float]] = {}
        with tenant_scope(tenant), transaction.atomic():
            bookings = _throwaway_bookings(options["count"])
            _measure(bookings, timings)
            transaction.set_rollback(True)  # nothing it made is kept
        self.stdout.write(f"{len(bookings)} e-vouchers in {tenant.slug} (ms per voucher)")
        for name, values in timings.items():
            ordered = sorted(values)
            p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
            self.stdout.write(
                f"{name:<12} p50={statistics.median(values):7.2f}  p95={p95:7.2f}  "
                f"max={ordered[-1]:7.2f}"
            )


_T = TypeVar("_T")


def _throwaway_bookings(count: int) -> list[Booking]:
    now = timezone.now()
    programme = Programme.objects.create(name="Bench", kind="public", vaccine_brands=["sinovac"])
    venue = Venue.objects.create(
        name="Puskesmas Bench",
        address="Jl. Cempaka No. 1, Kel. Sukajadi",
        city="Bandung",
        province="Jawa Barat",
        status="approved",
        vaccine_brands=["sinovac"],
    )
    starts = (now + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    slot = Slot.objects.create(
        venue=venue,
        programme=programme,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        capacity=count,
        vaccine_brand="sinovac",
        booking_opens_at=now,
        booking_closes_at=starts,
    )
    bookings = []
    for index in range(count):
        nik = f"3273015403{index:06d}"
        bookings.append(
            Booking(
                voucher_code=f"B{index:03d}-{index:04d}"[-9:],
                programme=programme,
                slot=slot,
                dose=1,
                person_key=person_key(nik),
                nik_sealed=seal(nik, field="nik"),
                date_of_birth_sealed=seal("1958-03-14", field="date_of_birth"),
                full_name=f"Siti Aminah {index}",
                email=f"bench{index}@example.id",
                language="id" if index % 2 else "en",
                vaccine_brand="sinovac",
            )
        )
    created = Booking.objects.bulk_create(bookings)
    for booking in created:
        booking.slot = slot
    return created


def _email_bytes(message: Message) -> bytes:
    return mime.message_email(message).message().as_bytes()


def _measure(bookings: list[Booking], timings: dict[str, list[float]]) -> None:
    names = vaccine_brand_names()

    def timed(name: str, work: Callable[[], _T]) -> _T:
        started = time.perf_counter()
        result = work()
        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return result

    for booking in bookings:
        with translation.override(booking.language):
            facts = voucher_facts(booking, brand_names=names)
            token = timed("token", partial(voucher_token_issue, booking))
            png = timed("qr_png", partial(voucher_qr_png, token))
            timed("pdf", partial(voucher_pdf, facts, qr_png=png))
            timed("ics", partial(voucher_ics, booking, facts))
        message = Message(
            kind=Message.Kind.VOUCHER,
            booking=booking,
            to_email=booking.email,
            language=booking.language,
        )
        timed("email", partial(_email_bytes, message))
