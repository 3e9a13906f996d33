"""The booking the rush front answers itself: a first dose for a public programme, checked by the
one validator and booked by the capacity engine's one statement, with the full path's words for
a 400 or a refusal; anything else goes to the full path."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import asyncpg
from django.utils import timezone, translation
from rest_framework.utils.mediatypes import media_type_matches

from api import hot
from api.exception_handlers import application_error_body, invalid_body
from api.front.database import DATABASE_ERRORS, FrontBusyError
from api.front.learning import FrontLearning
from api.front.requests import Answer, FrontRequest
from api.v1 import serializers as s
from api.v1.parsers import parse_error
from organizers.personal_data import mask_nik
from organizers.services.booking import attempt_limits, engine, rows, seats
from organizers.services.booking import statement as booking_statement
from organizers.services.booking.refusals import refusal_error
from organizers.services.booking.request import LANGUAGES, booking_request_clean
from organizers.services.eligibility import facts as eligibility_facts
from organizers.services.messages import relay

log = logging.getLogger(__name__)

REFRESH_AHEAD_SECONDS = 1.0
# The e-vouchers booked within this long wake the outbox relay together (one statement).
WAKE_GATHER_SECONDS = 0.01


class FrontBooking(FrontLearning):
    """The booking part of RushFront (api.front.application), which sets these attributes."""

    supported: set[str]
    pending: set[asyncio.Future[None]]
    wake_schemas: set[str]
    wake_task: asyncio.Future[None] | None

    async def _booking(self, request: FrontRequest) -> Answer | None:
        """The booking, with the core Django's path uses: the one validator, the one decision
        of when the one statement may book, its attempts and outcomes. A body Django would
        refuse as it stands gets Django's 400 from here; a booking the statement cannot be the
        whole of (another dose, an invite, a company programme, an age the rules refuse, an
        organiser not yet approved, an Idempotency-Key) goes to the full path."""
        if not media_type_matches("application/json", request.content_type):
            return None  # the full path answers 415 (DRF's own test: not application/jsonx)
        # As the full path: the answer's Content-Language is the request's (the cookie's); the
        # booking, and its words, are in the body's language when it has one.
        answered_in = request.cookie_language(self.supported)
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
            with translation.override(answered_in):
                return 400, hot.json_bytes(_parse_error_body()), answered_in
        chosen = payload.get("language") if type(payload) is dict else None
        language = chosen if chosen in LANGUAGES else answered_in
        booking, _errors = booking_request_clean(payload)
        if booking is None:
            with translation.override(language):  # the messages are worded in it
                _booking, errors = booking_request_clean(payload)
                return 400, hot.json_bytes(invalid_body(errors)), answered_in
        client = request.scope["client"][0] if request.scope.get("client") else ""
        try:  # the one rule, before any database work (the full path's: api.v1.views)
            attempt_limits.booking_attempt_count(client=client, niks=(booking.nik,))
        except attempt_limits.BookingAttemptsLimitedError as exc:
            request.retry_after = exc.retry_after
            with translation.override(language):
                return exc.status_code, hot.json_bytes(application_error_body(exc)), answered_in
        request.scope[attempt_limits.ATTEMPT_COUNTED] = True  # the full path counts it once
        tenant = request.tenant
        if (
            not tenant.takes_bookings
            or request.header(b"idempotency-key") is not None
            or not booking_statement.statement_may_book(
                dose=booking.dose,
                reserve_next_dose=booking.reserve_next_dose,
                invite_token=booking.invite_token,
            )
        ):
            return None
        programme_id = booking.programme_id
        facts = eligibility_facts.programme_facts_kept(
            tenant_uid=tenant.uid, programme_id=programme_id
        )
        if facts is None:
            facts = await self._programme_learnt(tenant, programme_id)
            if facts is None:
                return None  # not learnt (no such programme, no database): the full path answers
        elif facts[0] < REFRESH_AHEAD_SECONDS:
            # Learnt again before they expire, while this and the next requests use them: in a
            # long rush, no request of this worker waits for the query every few seconds.
            self._programme_learning(tenant, programme_id)
        now = timezone.now()
        if not booking_statement.one_statement_admits(
            dose=booking.dose,
            reserve_next_dose=booking.reserve_next_dose,
            invite_token=booking.invite_token,
            age_bands=facts[1],
            date_of_birth=booking.date_of_birth,
            today=timezone.localdate(now),
        ):
            return None  # not a public programme known lately, or an age the rules refuse
        person = booking.person(language=language)
        params = engine.booking_statement_params(
            programme_id=programme_id,
            slot_id=booking.slot_id,
            dose=1,
            person=person,
            now=now,
            tenant_uid=tenant.uid,
        )
        statement, why_not = engine.booking_statement(1), seats.refusal_statement(1)
        for _attempt in booking_statement.booking_attempts(
            params, voucher_code_new=rows.voucher_code_new
        ):
            try:
                row, why = await self.database.fetch_one_or(
                    tenant.schema_name, statement, why_not, params, deadline=request.deadline
                )
            except asyncpg.UniqueViolationError as exc:
                outcome = booking_statement.booking_outcome(params=params, error=exc)
            except (*DATABASE_ERRORS, FrontBusyError) as exc:
                log.warning("rush front: booking handed to the full path: %r", exc)
                return None
            else:
                outcome = booking_statement.booking_outcome(params=params, row=row, why=why)
            if isinstance(outcome, booking_statement.Retry):
                continue
            if isinstance(outcome, booking_statement.NotOurs):
                return None  # the full path meets it too, and answers as it does
            if isinstance(outcome, booking_statement.Refused):
                return self._refusal(outcome.code, language, answered_in)
            if outcome.message_id is not None:
                self._wake_relay(tenant.schema_name)
            body = s.booking_representation(outcome.booking, nik_masked=mask_nik(booking.nik))
            return 201, hot.json_bytes(body), answered_in
        return None  # pragma: no cover - booking_attempts ends with an error

    @staticmethod
    def _refusal(code: str | None, language: str, answered_in: str) -> Answer | None:
        """The seat the statement did not get, refused as the full path refuses it: the same
        error and words (booking.refusals). None (the full path answers) when no reason
        holds by now (a seat came free between the two statements)."""
        if code is None:
            return None
        error = refusal_error(code)
        with translation.override(language):
            body = hot.json_bytes(application_error_body(error))
        return error.status_code, body, answered_in

    def _wake_relay(self, schema: str) -> None:
        """Tell the outbox relay that `schema` has a new e-voucher: the wakes of the next
        WAKE_GATHER_SECONDS go out together, one NOTIFY per organiser in one statement
        (organizers.services.messages.relay), off the request's path. The message is in the
        outbox already; if this worker dies first, the next wake for the organiser, or beat's
        sweep, hands it over."""
        self.wake_schemas.add(schema)
        if self.wake_task is None:
            task = asyncio.ensure_future(self._wake_after_gathering())
            self.wake_task = task
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)

    async def _wake_after_gathering(self) -> None:
        try:
            await asyncio.sleep(WAKE_GATHER_SECONDS)
        finally:
            schemas, self.wake_schemas = sorted(self.wake_schemas), set()
            self.wake_task = None  # a wake from now on gathers for the next statement
        try:
            await self.database.execute_anywhere(relay.outbox_wake_statement("$1"), schemas)
        except (*DATABASE_ERRORS, FrontBusyError) as exc:
            log.warning("rush front: outbox relay not woken (the sweep sends): %r", exc)


def _parse_error_body() -> dict[str, Any]:
    """The full path's answer to a body that is not JSON (its parser's error, worded by
    api.exception_handlers), in the active language."""
    error = parse_error()
    return {"error": {"code": error.default_code, "message": str(error.detail)}}
