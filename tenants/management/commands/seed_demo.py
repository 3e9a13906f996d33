from typing import Any

from django.core.management.base import BaseCommand

from tenants.services.demo_data import DEMO_PASSWORD, demo_data_seed


class Command(BaseCommand):
    help = "Create (or top up) the demo organisers, venues, a week of slots and demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        for login in demo_data_seed():
            self.stdout.write(f"{login.email:<28} {login.role} ({login.where})")
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
