"""Measure the staff review console's queue page (/staf/) with N items waiting (5,000 by
default, issue #12 "Measure"): server time of each request through Django's whole stack (the
test client: no network), p50/p95/max. Everything it makes is rolled back."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test import Client
from django.utils import timezone

from organizers.geography import PROVINCE_CHOICES
from tenants.models import ReviewItem, Tenant, User


class Command(BaseCommand):
    help = "Time the review console's queue with N waiting items; print p50/p95/max."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=5000)
        parser.add_argument("--requests", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        tenant = Tenant.objects.organizers().first()
        if tenant is None:
            raise CommandError("No organiser to attach the items to: run seed_demo first.")
        seconds: list[float] = []
        with transaction.atomic():
            staff = User.objects.create_user("bench-reviewer@sentra.invalid", is_staff=True)
            TOTP.activate(staff, generate_totp_secret())
            now = timezone.now()
            provinces = [name for name, _label in PROVINCE_CHOICES]
            ReviewItem.objects.bulk_create(
                ReviewItem(
                    kind=ReviewItem.Kind.VENUE,
                    tenant=tenant,
                    venue_id=1_000_000_000 + index,
                    name=f"Bench venue {index}",
                    state="pending",
                    province=provinces[index % len(provinces)],
                    waiting_since=now - dt.timedelta(minutes=index),
                )
                for index in range(options["items"])
            )
            client = Client(HTTP_HOST=settings.ROOT_DOMAIN, secure=True)
            client.force_login(staff)
            for index in range(options["requests"]):
                path = "/staf/" if index % 2 == 0 else "/staf/?kind=venue&province=Papua"
                started = time.perf_counter()
                response = client.get(path)
                seconds.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise CommandError(f"{path} answered {response.status_code}")
            transaction.set_rollback(True)
        ordered = sorted(seconds)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        self.stdout.write(
            f"review queue with {options['items']:,} waiting: n={len(seconds)} "
            f"p50={statistics.median(seconds) * 1000:.1f} ms p95={p95 * 1000:.1f} ms "
            f"max={ordered[-1] * 1000:.1f} ms"
        )
