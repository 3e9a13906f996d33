"""Steps of the booking pages shared by their tests."""

from __future__ import annotations

import re

from django.test import Client


def submit_token(client: Client) -> str:
    """The one-time token of the review page (it guards against a second press)."""
    page = client.get("/daftar/periksa/").content.decode()
    return re.search(r'name="submit_token" value="([^"]+)"', page).group(1)


def press_book(client: Client) -> object:
    """Agree and press the review page's button (book, or join the waiting list)."""
    token = submit_token(client)
    return client.post(
        "/daftar/periksa/", {"action": "book", "consent": "on", "submit_token": token}
    )
