"""The facts kept per process for the rush path (a programme's kind and age bands): the services
that change them forget them once they commit, nothing listens to signals, and the public rush
path costs no query for eligibility."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from organizers.models import AgeRule, Programme
from organizers.services.eligibility.facts import (
    AgeBand,
    eligibility_facts_forget,
    programme_facts_kept,
    public_age_bands,
)
from organizers.services.eligibility.programme_rules import age_rule_create, age_rule_delete
from organizers.services.programmes import programme_update
from tenants.context import require_current_tenant
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue
from tests.organizers.services.eligibility.booking_helpers import booked, refused_with


def test_the_open_programme_answer_is_forgotten_when_rules_change(
    alpha: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme, capacity=5)
    booked(slot, a_person(name="Pertama", date_of_birth=dt.date(2000, 1, 1)))  # cached: open
    with django_capture_on_commit_callbacks(execute=True):
        age_rule_create(
            programme=programme, min_age=60, max_age=None, opens_on=timezone.localdate()
        )

    refused_with("age_not_eligible", slot, a_person(date_of_birth=dt.date(2000, 1, 1)))
    eligibility_facts_forget()


# --- The facts kept per process: the services that change them forget them ---------------------

_SIXTY_UP = AgeBand(60, None, dt.date(2030, 7, 1))


def _kept(programme: Programme) -> tuple[AgeBand, ...] | None:
    """What this process keeps of the programme (None: nothing kept), without querying."""
    kept = programme_facts_kept(tenant_uid=require_current_tenant().uid, programme_id=programme.id)
    return None if kept is None else kept[1]


def test_adding_an_age_rule_is_seen_once_committed(
    alpha: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    programme = a_programme()
    assert public_age_bands(programme.id) == ()  # learnt: open to everyone

    with django_capture_on_commit_callbacks() as on_commit:
        age_rule_create(programme=programme, min_age=60, max_age=None, opens_on=_SIXTY_UP.opens_on)
    assert _kept(programme) == ()  # until the commit, what was kept stays
    for callback in on_commit:
        callback()

    assert _kept(programme) is None
    assert public_age_bands(programme.id) == (_SIXTY_UP,)
    eligibility_facts_forget()


def test_removing_an_age_rule_is_seen(
    alpha: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    programme = a_programme()
    rule = AgeRule.objects.create(programme=programme, min_age=60, opens_on=_SIXTY_UP.opens_on)
    assert public_age_bands(programme.id) == (_SIXTY_UP,)

    with django_capture_on_commit_callbacks(execute=True):
        age_rule_delete(programme=programme, rule_id=rule.id)

    assert public_age_bands(programme.id) == ()
    eligibility_facts_forget()


def test_changing_a_programmes_kind_is_seen(
    alpha: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    programme = a_programme()
    assert public_age_bands(programme.id) == ()

    with django_capture_on_commit_callbacks(execute=True):
        programme_update(programme=programme, kind="company")
    assert public_age_bands(programme.id) is None  # a company programme: no age bands
    with django_capture_on_commit_callbacks(execute=True):
        programme_update(programme=programme, kind="public")

    assert public_age_bands(programme.id) == ()
    eligibility_facts_forget()


def test_a_change_that_leaves_the_facts_alone_keeps_them(
    alpha: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    programme, other = a_programme(), a_programme(name="Lain")
    public_age_bands(programme.id)
    public_age_bands(other.id)

    with django_capture_on_commit_callbacks(execute=True):
        programme_update(programme=programme, name="Vaksinasi Lansia", is_active=False)
        age_rule_create(programme=other, min_age=60, max_age=None, opens_on=_SIXTY_UP.opens_on)

    assert _kept(programme) == ()  # neither its kind nor its age rules changed
    assert _kept(other) is None
    eligibility_facts_forget()


def test_no_signal_keeps_the_facts(alpha: OrganizerFixture) -> None:
    """The services forget explicitly: none of our code listens to programme or age-rule
    saves (django-tenants' own receiver of every delete is not about these facts)."""
    from django.db.models.signals import post_delete, post_save

    ours = ("organizers", "tenants", "api", "public_site", "common", "config")
    for signal in (post_save, post_delete):
        for model in (Programme, AgeRule):
            sync, asynchronous = signal._live_receivers(model)
            modules = {receiver.__module__ for receiver in [*sync, *asynchronous]}
            assert not {m for m in modules if m.split(".")[0] in ours}, (signal, model)


def test_the_public_rush_path_costs_no_query_for_eligibility(
    alpha: OrganizerFixture, django_assert_max_num_queries: Callable
) -> None:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme, capacity=5)
    booked(slot, a_person(name="Pertama"))  # learns that the programme is open to everyone

    # One statement books (seat + booking + voucher message); the savepoint around it exists
    # only because the test runs inside a transaction.
    with django_assert_max_num_queries(3) as captured:
        booked(slot, a_person(name="Kedua", email=""))
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert statements[0].lstrip().startswith("WITH seat AS")
