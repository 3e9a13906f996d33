"""The `place` fixture (tests/booking_pages/booking_steps.py) for every booking page test."""

from tests.booking_pages.booking_steps import place  # noqa: F401 - a fixture
