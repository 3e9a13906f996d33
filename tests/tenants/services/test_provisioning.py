"""Provisioning an organiser: schema, domain, owner; from the command line and from the web."""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tenants.context import tenant_scope
from tenants.errors import ApplicationError, ConflictError
from tenants.models import Domain, Membership, OrganizerSignup, Tenant, User
from tenants.services.provisioning import (
    organizer_signup_create,
    organizer_signup_provision_run,
    organizer_signups_release,
    organizer_slug_validate,
    tenant_provision,
)
from tests.conftest import OrganizerFixture


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


def _tenant_tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("ab", "invalid_slug"),
        ("Has Space", "invalid_slug"),
        ("-leading", "invalid_slug"),
        ("double--hyphen", "invalid_slug"),
        ("1starts-with-digit", "invalid_slug"),
        ("admin", "reserved"),
        ("pg-clinic", "reserved"),
        ("information-schema", "reserved"),
        ("alpha", "taken"),
    ],
)
def test_bad_subdomains_are_refused_with_a_reason(
    slug: str, code: str, tenant_a: OrganizerFixture
) -> None:
    with pytest.raises(ApplicationError) as refused:
        organizer_slug_validate(slug=slug)

    assert refused.value.code == code


def test_subdomain_is_normalised_and_pg_without_hyphen_is_fine(db: None) -> None:
    assert organizer_slug_validate(slug="  RS-Sehat ") == "rs-sehat"
    assert organizer_slug_validate(slug="pgri-jabar") == "pgri-jabar"


def test_provision_creates_schema_domain_and_owner(make_user: Callable[..., User]) -> None:
    owner = make_user("owner@delta.test")

    result = tenant_provision(name="Delta Clinic", slug="delta-clinic", owner=owner)

    tenant = result.tenant
    assert tenant.schema_name == "delta_clinic"
    assert _schema_exists("delta_clinic")
    assert {"organizers_venue", "organizers_slot", "organizers_programme"} <= _tenant_tables(
        "delta_clinic"
    )
    # Shared apps' tables stay in public only.
    assert "tenants_user" not in _tenant_tables("delta_clinic")
    assert result.domain == "delta-clinic.localhost"
    assert Domain.objects.get(domain="delta-clinic.localhost").tenant == tenant
    assert Membership.objects.get(tenant=tenant).user == owner
    assert Membership.objects.get(tenant=tenant).role == "owner"
    assert tenant.review_status == "draft"
    assert result.seconds > 0


def test_failed_provisioning_leaves_no_tenant_and_no_schema(
    tenant_a: OrganizerFixture, make_user: Callable[..., User]
) -> None:
    # Someone already routes the host the new tenant needs.
    Domain.objects.create(domain="epsilon.localhost", tenant=tenant_a.tenant, is_primary=False)

    with pytest.raises(Exception):  # noqa: B017, PT011 - the database's IntegrityError
        tenant_provision(name="Epsilon", slug="epsilon", owner=make_user("o@epsilon.test"))

    assert not Tenant.objects.filter(slug="epsilon").exists()
    assert not _schema_exists("epsilon")


def test_create_organizer_command_reports_the_time(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("create_organizer", "zeta", "--name", "Zeta Centre", "--owner", "Z@Zeta.test")

    out = capsys.readouterr().out
    assert "Created Zeta Centre at zeta.localhost (schema zeta) in " in out
    assert out.strip().endswith(" s")
    assert Membership.objects.get(tenant__slug="zeta").user.email == "z@zeta.test"


def test_create_organizer_command_refuses_a_taken_subdomain(tenant_a: OrganizerFixture) -> None:
    with pytest.raises(CommandError, match="sudah dipakai"):
        call_command("create_organizer", "alpha", "--name", "Again", "--owner", "x@alpha.test")


def test_web_sign_up_is_queued_only_once_the_email_is_confirmed(
    make_user: Callable[..., User], django_capture_on_commit_callbacks
) -> None:
    owner = make_user("owner@eta.test")

    with django_capture_on_commit_callbacks(execute=False) as at_signup:
        signup = organizer_signup_create(
            organisation_name="Eta Corp", slug="eta", programme_kind="company", owner=owner
        )
    with django_capture_on_commit_callbacks(execute=False) as at_release:
        assert organizer_signups_release(user=owner) == 1
        assert organizer_signups_release(user=owner) == 0

    assert (signup.status, at_signup) == ("awaiting_email", [])
    signup.refresh_from_db()
    assert signup.status == "queued"
    assert len(at_release) == 1
    assert not Tenant.objects.filter(slug="eta").exists()  # nothing provisioned yet


def test_second_sign_up_for_the_same_subdomain_is_refused(
    make_user: Callable[..., User],
) -> None:
    first = make_user("one@theta.test")
    second = make_user("two@theta.test")
    organizer_signup_create(
        organisation_name="Theta", slug="theta", programme_kind="public", owner=first
    )

    with pytest.raises(ConflictError):
        organizer_signup_create(
            organisation_name="Theta 2", slug="theta", programme_kind="public", owner=second
        )
    assert OrganizerSignup.objects.filter(slug="theta").count() == 1


def test_provisioning_task_builds_the_tenant_and_is_idempotent(
    make_user: Callable[..., User], django_capture_on_commit_callbacks
) -> None:
    from organizers.models import Programme
    from organizers.tasks import owner_welcome_email_send
    from tenants.tasks import organizer_signup_provision

    owner = make_user("owner@iota.test")
    with django_capture_on_commit_callbacks(execute=False):
        signup = organizer_signup_create(
            organisation_name="Iota Hospital", slug="iota", programme_kind="public", owner=owner
        )
        organizer_signups_release(user=owner)

    with django_capture_on_commit_callbacks(execute=False) as welcome:
        assert organizer_signup_provision.apply(args=[str(signup.id)]).get() == "ready"
        assert organizer_signup_provision.apply(args=[str(signup.id)]).get() == "ready"
    with mock.patch.object(owner_welcome_email_send, "apply_async") as send_welcome:
        for callback in welcome:
            callback()

    signup.refresh_from_db()
    assert signup.tenant.slug == "iota"
    with tenant_scope(signup.tenant):
        assert list(Programme.objects.values_list("name", "kind")) == [("Iota Hospital", "public")]
    assert Tenant.objects.filter(slug="iota").count() == 1
    send_welcome.assert_called_once_with(
        args=(owner.id,), kwargs={}, headers={"_schema_name": "iota"}
    )


def test_provisioning_task_records_a_failure_reason(
    tenant_a: OrganizerFixture, make_user: Callable[..., User], django_capture_on_commit_callbacks
) -> None:
    from tenants.tasks import organizer_signup_provision

    owner = make_user("owner@kappa.test")
    with django_capture_on_commit_callbacks(execute=False):
        signup = organizer_signup_create(
            organisation_name="Kappa", slug="kappa", programme_kind="public", owner=owner
        )
        organizer_signups_release(user=owner)
    # Between sign-up and provisioning, the subdomain went to someone else.
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(slug="kappa")

    assert organizer_signup_provision.apply(args=[str(signup.id)]).get() == "failed"
    signup.refresh_from_db()
    assert signup.failure_code == "taken"
    assert signup.failure_message == "Subdomain ini sudah dipakai. Pilih yang lain."


def test_unexpected_error_requeues_the_sign_up_and_removes_the_half_made_tenant(
    make_user: Callable[..., User], django_capture_on_commit_callbacks
) -> None:
    from django.db import OperationalError

    owner = make_user("owner@lambda.test")
    with django_capture_on_commit_callbacks(execute=False):
        signup = organizer_signup_create(
            organisation_name="Lambda", slug="lambda", programme_kind="public", owner=owner
        )
        organizer_signups_release(user=owner)

    with (
        mock.patch(
            "tenants.services.provisioning.Membership.objects.create",
            side_effect=OperationalError("server closed the connection"),
        ),
        pytest.raises(OperationalError),
    ):
        organizer_signup_provision_run(signup_id=str(signup.id))

    signup.refresh_from_db()
    assert signup.status == "queued"  # a retry will pick it up
    assert not Tenant.objects.filter(slug="lambda").exists()
    assert not _schema_exists("lambda")
    assert organizer_signup_provision_run(signup_id=str(signup.id)).status == "ready"


def test_sign_up_left_provisioning_by_a_dead_worker_is_taken_over_later(
    make_user: Callable[..., User], django_capture_on_commit_callbacks
) -> None:
    import datetime as dt

    from django.utils import timezone

    owner = make_user("owner@mu.test")
    with django_capture_on_commit_callbacks(execute=False):
        signup = organizer_signup_create(
            organisation_name="Mu", slug="mu-clinic", programme_kind="public", owner=owner
        )
    OrganizerSignup.objects.filter(id=signup.id).update(
        status="provisioning", provisioning_started_at=timezone.now()
    )
    assert organizer_signup_provision_run(signup_id=str(signup.id)).status == "provisioning"

    OrganizerSignup.objects.filter(id=signup.id).update(
        provisioning_started_at=timezone.now() - dt.timedelta(minutes=20)
    )

    assert organizer_signup_provision_run(signup_id=str(signup.id)).status == "ready"


def test_new_organisers_are_cloned_from_the_migrated_template(
    make_user: Callable[..., User],
) -> None:
    from django.db import IntegrityError, transaction

    from organizers.models import Slot
    from tests.organizers.factories import a_programme, a_slot, a_venue

    result = tenant_provision(name="Nu Clinic", slug="nu-clinic", owner=make_user("o@nu.test"))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM sentra_template.django_migrations),"
            " (SELECT count(*) FROM nu_clinic.django_migrations)"
        )
        template_rows, clone_rows = cursor.fetchone()
    assert clone_rows == template_rows > 0
    with tenant_scope(result.tenant):
        slot = a_slot(venue=a_venue(), programme=a_programme(), capacity=1)
        # The cloned schema keeps the template's constraints: the seat backstop holds.
        with pytest.raises(IntegrityError), transaction.atomic():
            Slot.objects.filter(id=slot.id).update(booked=2)


def test_the_template_is_not_an_organiser(db: None) -> None:
    from tenants.models import TEMPLATE_SCHEMA

    assert not Tenant.objects.organizers().filter(schema_name=TEMPLATE_SCHEMA).exists()
    assert not Domain.objects.filter(tenant__schema_name=TEMPLATE_SCHEMA).exists()
    with pytest.raises(ApplicationError):
        organizer_slug_validate(slug="sentra-template")
