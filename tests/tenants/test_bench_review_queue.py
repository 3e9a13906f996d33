from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from tenants.models import ReviewItem, User
from tests.conftest import OrganizerFixture


def test_the_queue_benchmark_prints_figures_and_keeps_nothing(
    tenant_a: OrganizerFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    before = ReviewItem.objects.count()

    call_command("bench_review_queue", "--items", "300", "--requests", "4")

    out = capsys.readouterr().out
    assert re.search(r"review queue with 300 waiting: n=4 p50=\d+\.\d ms p95=\d+\.\d ms", out)
    assert ReviewItem.objects.count() == before
    assert not User.objects.filter(email__startswith="bench-").exists()
