from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from tenants.models import Tenant, User


def test_provisioning_benchmark_prints_figures_and_removes_its_tenants(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = set(Tenant.objects.values_list("slug", flat=True))

    call_command("bench_provisioning", "--count", "2")

    out = capsys.readouterr().out
    assert re.search(r"provisioning: n=2 p50=\d+\.\d{3} s p95=\d+\.\d{3} s max=", out)
    assert set(Tenant.objects.values_list("slug", flat=True)) == before
    assert not User.objects.filter(email__startswith="bench-").exists()
