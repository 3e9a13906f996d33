"""Demo organisers, venues, slots and logins for the one-command run. Idempotent: running it
again keeps what is there and only fills gaps (a new week of slots, say)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from allauth.account.models import EmailAddress
from django.utils import timezone

from tenants.context import tenant_scope
from tenants.models import Membership, Tenant, User
from tenants.services.provisioning import tenant_provision

DEMO_PASSWORD = "sentra-demo-2026"  # noqa: S105 - published demo login, local runs only


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    where: str


class _OrganiserSpec(TypedDict):
    slug: str
    name: str
    kind: str
    programme: str
    venues: tuple[tuple[str, str, str, str], ...]


_ORGANISERS: tuple[_OrganiserSpec, ...] = (
    {
        "slug": "demo",
        "name": "Demo Vaccine Centre",
        "kind": "public",
        "programme": "Vaksinasi Umum (Lansia diutamakan)",
        "venues": (
            ("Gelora Bung Karno Hall A", "Jl. Pintu Satu Senayan", "Jakarta Pusat", "DKI Jakarta"),
            (
                "Puskesmas Kebayoran Baru",
                "Jl. Sisingamangaraja No. 2",
                "Jakarta Selatan",
                "DKI Jakarta",
            ),
        ),
    },
    {
        "slug": "acme",
        "name": "Acme Corp",
        "kind": "company",
        "programme": "Vaksinasi Gotong Royong Acme",
        "venues": (
            (
                "Acme Head Office Clinic",
                "Jl. Jend. Sudirman Kav. 52",
                "Jakarta Selatan",
                "DKI Jakarta",
            ),
            ("Acme Bandung Plant", "Jl. Soekarno-Hatta No. 100", "Bandung", "Jawa Barat"),
        ),
    },
)


# Where the demo venues are, so the booking pages show a map link (OpenStreetMap).
_COORDINATES = {
    "Gelora Bung Karno Hall A": ("-6.218335", "106.802216"),
    "Puskesmas Kebayoran Baru": ("-6.243549", "106.799732"),
    "Acme Head Office Clinic": ("-6.225014", "106.808889"),
    "Acme Bandung Plant": ("-6.941260", "107.628060"),
}


def _user_ensure(*, email: str, full_name: str, is_staff: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"full_name": full_name, "is_staff": is_staff, "is_superuser": is_staff},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def demo_data_seed(*, today: dt.date | None = None) -> list[DemoLogin]:
    """Public schema, then each demo tenant's. Returns the demo logins to print."""
    from organizers.models import Programme, SlotTemplate, Venue
    from organizers.services.programmes import programme_create
    from organizers.services.slots import slots_generate
    from organizers.services.venues import venue_create

    today = today or timezone.localdate()
    logins = [
        DemoLogin("staff@sentra.localhost", "platform staff (TOTP set-up at first login)", "root")
    ]
    _user_ensure(email="staff@sentra.localhost", full_name="Platform Staff", is_staff=True)
    for spec in _ORGANISERS:
        owner_email = f"owner@{spec['slug']}.localhost"
        owner = _user_ensure(email=owner_email, full_name=f"Owner {spec['name']}")
        tenant = Tenant.objects.filter(slug=spec["slug"]).first()
        if tenant is None:
            tenant = tenant_provision(
                name=spec["name"],
                slug=spec["slug"],
                owner=owner,
                review_status=Tenant.ReviewStatus.APPROVED,
            ).tenant
        checkin = _user_ensure(email=f"checkin@{spec['slug']}.localhost", full_name="Check-in")
        Membership.objects.get_or_create(
            user=checkin, tenant=tenant, defaults={"role": Membership.Role.CHECKIN_STAFF}
        )
        logins.append(DemoLogin(owner_email, "owner", spec["slug"]))
        logins.append(DemoLogin(checkin.email, "check-in staff", spec["slug"]))
        with tenant_scope(tenant):
            programme = Programme.objects.first() or programme_create(
                name=spec["programme"], kind=spec["kind"], vaccine_brands=["sinovac", "pfizer"]
            )
            for name, address, city, province in spec["venues"]:
                latitude, longitude = (Decimal(c) for c in _COORDINATES[name])
                venue = Venue.objects.filter(name=name).first() or venue_create(
                    name=name,
                    address=address,
                    city=city,
                    province=province,
                    latitude=latitude,
                    longitude=longitude,
                    vaccine_brands=["sinovac", "pfizer"],
                    status=Venue.Status.APPROVED,
                )
                # A rolling week: today's run adds the days that are new since the last one.
                template = SlotTemplate.objects.create(
                    venue=venue,
                    programme=programme,
                    first_day=today,
                    last_day=today + dt.timedelta(days=6),
                    weekdays=[0, 1, 2, 3, 4, 5, 6],
                    opens=dt.time(8, 0),
                    closes=dt.time(15, 0),
                    breaks=[["12:00", "13:00"]],
                    slot_minutes=30,
                    capacity=20,
                    vaccine_brand="sinovac",
                    opens_days_before=7,
                    opens_at_time=dt.time(0, 0),
                    closes_hours_before=1,
                )
                if slots_generate(template=template).created == 0:
                    template.delete()
            if spec["slug"] == "demo" and not Venue.objects.filter(name=_WAITING_VENUE).exists():
                # Something for platform staff to review on the console (/staf/).
                venue_create(
                    name=_WAITING_VENUE,
                    address="Jl. Pemuda No. 10",
                    city="Kota Bekasi",
                    province="Jawa Barat",
                    vaccine_brands=["sinovac"],
                )
    return logins


# A demo venue waiting for platform staff's review (no slots: it takes no bookings yet).
_WAITING_VENUE = "Posko Vaksinasi Bekasi (menunggu pemeriksaan)"
