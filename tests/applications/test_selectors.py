"""The owner's checklist (applications.selectors.organiser_checklist): each step done or not
from what the organiser has, in its own schema, and shown until the organiser is live."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from applications.selectors import Checklist, organiser_checklist
from applications.services import application_draft_save
from documents.models import Document
from organizers.models import Branding, SlotTemplate
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.applications.documents import documents_received
from tests.applications.test_services import COMPLETE_CLINIC
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_programme, a_venue


@pytest.fixture
def alpha(tenant_a: OrganizerFixture) -> Iterator[OrganizerFixture]:
    with tenant_scope(tenant_a.tenant):
        yield tenant_a


def _state(checklist: Checklist) -> dict[str, bool]:
    return {item.key: item.done for item in checklist.items}


def _waiting(organizer: OrganizerFixture) -> Tenant:
    tenant = organizer.tenant
    tenant.review_status = Tenant.ReviewStatus.DRAFT
    tenant.save(update_fields=["review_status"])
    return tenant


def test_a_new_organiser_has_every_step_ahead(alpha: OrganizerFixture) -> None:
    checklist = organiser_checklist(tenant=_waiting(alpha))

    assert _state(checklist) == {
        "application": False,
        "documents": False,
        "venue": False,
        "schedule": False,
        "vaccine": False,
        "branding": False,
        "submitted": False,
    }
    assert checklist.shown
    assert checklist.left == 7


def test_steps_are_done_by_what_the_organiser_has(alpha: OrganizerFixture) -> None:
    tenant = _waiting(alpha)
    application_draft_save(tenant=tenant, by=alpha.owner, changes=COMPLETE_CLINIC)
    documents_received(tenant)
    programme = a_programme()
    venue = a_venue()
    SlotTemplate.objects.create(
        venue=venue,
        programme=programme,
        first_day=dt.date(2030, 1, 7),
        last_day=dt.date(2030, 1, 11),
        weekdays=[0],
        opens=dt.time(8),
        closes=dt.time(12),
        slot_minutes=30,
        capacity=10,
        vaccine_brand="sinovac",
    )
    Branding.objects.create()

    checklist = organiser_checklist(tenant=tenant)

    assert _state(checklist) == {
        "application": True,
        "documents": True,
        "venue": True,
        "schedule": True,
        "vaccine": True,
        "branding": True,
        "submitted": False,
    }
    assert checklist.left == 1


def test_a_missing_document_is_a_step_left(alpha: OrganizerFixture) -> None:
    tenant = _waiting(alpha)
    documents_received(tenant)
    assert _state(organiser_checklist(tenant=tenant))["documents"]

    Document.objects.filter(tenant=tenant).first().delete()

    assert not _state(organiser_checklist(tenant=tenant))["documents"]


def test_a_company_says_who_may_book_its_programme(alpha: OrganizerFixture) -> None:
    tenant = _waiting(alpha)
    application_draft_save(tenant=tenant, by=alpha.owner, changes={"kind": "company"})

    assert _state(organiser_checklist(tenant=tenant))["eligibility"] is False

    programme = a_programme(kind="company")
    assert _state(organiser_checklist(tenant=tenant))["eligibility"] is False

    programme.allowed_email_domains = ["alpha.co.id"]
    programme.save(update_fields=["allowed_email_domains"])
    assert _state(organiser_checklist(tenant=tenant))["eligibility"] is True


def test_a_public_organiser_has_no_eligibility_step(alpha: OrganizerFixture) -> None:
    a_programme(kind="public")

    assert "eligibility" not in _state(organiser_checklist(tenant=_waiting(alpha)))


def test_approved_with_everything_set_up_the_checklist_goes(alpha: OrganizerFixture) -> None:
    tenant = alpha.tenant
    assert tenant.review_status == Tenant.ReviewStatus.APPROVED
    approved = organiser_checklist(tenant=tenant)
    # Staff approved the details, the documents and the submission.
    assert {key for key, done in _state(approved).items() if done} == {
        "application",
        "documents",
        "submitted",
    }
    assert approved.shown

    programme = a_programme()
    venue = a_venue()
    SlotTemplate.objects.create(
        venue=venue,
        programme=programme,
        first_day=dt.date(2030, 1, 7),
        last_day=dt.date(2030, 1, 11),
        weekdays=[0],
        opens=dt.time(8),
        closes=dt.time(12),
        slot_minutes=30,
        capacity=10,
        vaccine_brand="sinovac",
    )
    Branding.objects.create()

    assert not organiser_checklist(tenant=tenant).shown
