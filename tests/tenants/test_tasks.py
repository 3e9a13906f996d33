"""Tasks run in the schema they were sent from, on a real worker and broker."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import cast

import pytest
from django.core import mail
from django.core.management import call_command

from tenants.context import public_scope, tenant_scope
from tenants.models import OrganizerSignup, Tenant, User
from tenants.tasks import report_schema
from tests.conftest import ROOT_HOST, OrganizerFixture, WorkerProcess, host_client

pytestmark = pytest.mark.worker


def test_task_sent_inside_a_tenant_runs_in_that_tenants_schema(
    celery_worker: WorkerProcess, tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    with tenant_scope(tenant_a.tenant):
        from_a = report_schema.delay()
    with tenant_scope(tenant_b.tenant):
        from_b = report_schema.delay()
    with public_scope():
        from_public = report_schema.delay()

    assert from_a.get(timeout=30) == "alpha"
    assert from_b.get(timeout=30) == "beta"
    assert from_public.get(timeout=30) == "public"


def test_check_worker_command_reports_every_schema(
    celery_worker: WorkerProcess, tenant_a: OrganizerFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("check_worker", "--timeout", "30")

    out = capsys.readouterr().out
    assert "ok   sent from public, ran in public" in out
    assert "ok   sent from alpha, ran in alpha" in out
    assert "ok   sent from beta, ran in beta" in out


def _wait_for(condition: Callable[[], object], timeout: float = 120.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out waiting")


def test_web_sign_up_is_provisioned_by_the_worker_and_welcomes_the_owner(
    celery_worker: WorkerProcess, committed: Callable[[Callable], None]
) -> None:
    def cleanup() -> None:
        for tenant in Tenant.objects.filter(slug="gamma-health"):
            tenant.delete(force_drop=True)
        User.objects.filter(email="founder@gamma.test").delete()

    committed(cleanup)

    response = host_client(ROOT_HOST).post(
        "/accounts/signup/",
        {
            "email": "founder@gamma.test",
            "password1": "a-long-test-passphrase-1",
            "password2": "a-long-test-passphrase-1",
            "full_name": "Gamma Founder",
            "organisation_name": "Gamma Health",
            "slug": "gamma-health",
            "programme_kind": "company",
        },
    )
    assert response.status_code == 302
    # The workspace is made once the founder confirms the address, from the email's link.
    (confirmation,) = mail.outbox
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", confirmation.body).group(0)
    assert host_client(ROOT_HOST).post(link).status_code == 302

    signup = _wait_for(
        lambda: OrganizerSignup.objects.filter(slug="gamma-health", status="ready").first()
    )
    assert signup.provisioning_seconds > 0
    tenant_page = host_client(f"gamma-health.{ROOT_HOST}").get("/")
    assert tenant_page.status_code == 200
    assert "Gamma Health" in tenant_page.content.decode()
    assert "belum menerima pendaftaran" in tenant_page.content.decode()  # until approved
    organizer = host_client(f"gamma-health.{ROOT_HOST}").get("/api/v1/organizer").json()
    assert organizer["accepting_bookings"] is False
    assert [p["kind"] for p in organizer["programmes"]] == ["company"]

    # The worker's mail folder is shared by the suite's worker tests (an e-voucher may already
    # be there): wait for the mail to this owner, not for any mail.
    def welcome_mail() -> list[str]:
        texts = [p.read_text() for p in celery_worker.mail_dir.iterdir() if p.stat().st_size]
        return [text for text in texts if "To: founder@gamma.test" in text]

    text = "\n".join(cast("list[str]", _wait_for(welcome_mail)))
    assert "To: founder@gamma.test" in text
    assert "Ruang kerja Sentra untuk Gamma Health sudah siap" in text
    assert "http://gamma-health.localhost:8000/kelola/" in text
