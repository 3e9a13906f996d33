"""API v1 on an organiser's host. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import hot
from api.exception_handlers import (
    application_error_body,
    invalid_body,
)
from api.idempotency import HEADER, IDEMPOTENCY_KEY_MAX_LENGTH, idempotent
from api.v1 import serializers as s
from api.v1.errors import error_responses
from api.v1.parsers import SmallJSONParser, body_size_check, json_required
from organizers.access import access_booking_by_voucher
from organizers.models import Booking
from organizers.personal_data import mask_nik, unseal
from organizers.selectors import (
    programme_list_active,
    slot_day_json,
    venue_list_bookable,
    waitlist_position,
)
from organizers.services.booking import attempt_limits, place
from organizers.services.booking.changes import (
    booking_cancel_with_notice,
    booking_reschedule_with_notice,
)
from organizers.services.booking.person import Person
from organizers.services.booking.request import (
    LANGUAGES,
    booking_request_clean,
    day_may_hold_slots,
    slot_day_query_clean,
)
from organizers.services.waitlist.join import waitlist_join_checked
from organizers.services.waitlist.offers import waitlist_offer_accept_checked
from tenants.access import access_membership_by_tenant
from tenants.context import current_schema_name
from tenants.errors import ApplicationError, NotFoundError
from tenants.requests import request_tenant


class PublicAPIView(APIView):
    """For people who book: no account, no session, no CSRF, small JSON bodies."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    parser_classes = (SmallJSONParser,)


class OrganizerView(PublicAPIView):
    """Public facts about the organiser whose host this is."""

    @extend_schema(responses={200: s.OrganizerSerializer, **error_responses(404)})
    def get(self, request: Request) -> Response:
        tenant = request_tenant(request)
        return Response(
            {
                "name": tenant.name,
                "slug": tenant.slug,
                "accepting_bookings": tenant.takes_bookings,
                "programmes": s.ProgrammeSerializer(programme_list_active(), many=True).data,
            }
        )


class MembershipView(APIView):
    """The signed-in user's role here; 404 for a user who is not a member."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(responses={200: s.MembershipSerializer, **error_responses(403, 404)})
    def get(self, request: Request) -> Response:
        membership = access_membership_by_tenant(user=request.user, tenant=request_tenant(request))
        # IsAuthenticated: the user is a signed-in User, never AnonymousUser.
        return Response({"email": request.user.email, "role": membership.role})  # type: ignore[union-attr]


class ProgrammeListView(PublicAPIView):
    @extend_schema(responses={200: s.ProgrammeSerializer(many=True), **error_responses(404)})
    def get(self, request: Request) -> Response:
        return Response(s.ProgrammeSerializer(programme_list_active(), many=True).data)


class VenueListView(PublicAPIView):
    @extend_schema(responses={200: s.VenueSerializer(many=True), **error_responses(404)})
    def get(self, request: Request) -> Response:
        return Response(s.VenueSerializer(venue_list_bookable(), many=True).data)


class VenueSlotsView(PublicAPIView):
    """Slots of a venue on a day (the venue's local date) with the seats left. At opening hour
    thousands ask the same question: each process keeps the rendered day for
    SLOT_LIST_CACHE_SECONDS (api.hot.SLOT_PAGES, shared with the rush front)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("date", dt.date, required=True),
            OpenApiParameter("programme", {"type": "integer", "minimum": 1, "maximum": s.MAX_ID}),
        ],
        responses={200: s.SlotSerializer(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, venue_id: int) -> HttpResponse:
        asked, errors = slot_day_query_clean(request.query_params)
        if asked is None:
            return Response(invalid_body(errors), status=400)
        day, programme = asked
        if not day_may_hold_slots(day):
            return Response([])
        key = (current_schema_name(), venue_id, day, programme)
        page = hot.slot_page_known(key)
        if page is None:
            body = slot_day_json(
                venue_id=venue_id, day=day, programme_id=programme, now=timezone.now()
            )
            if body is None:
                raise NotFoundError(code="venue_not_found")
            page = body.encode()
            hot.slot_page_keep(key, page)
        return HttpResponse(page, content_type="application/json")


def _booking_response(booking: Booking, status: int = 200, nik: str | None = None) -> Response:
    nik = nik or unseal(booking.nik_sealed, field="nik")
    return Response(s.booking_representation(booking, nik_masked=mask_nik(nik)), status=status)


def _person(data: dict) -> Person:
    return Person(
        nik=data["nik"],
        date_of_birth=data["date_of_birth"],
        full_name=data["full_name"],
        phone=data["phone"],
        email=data["email"],
        sex=data.get("sex", ""),
        language=request_language(),
    )


def request_language() -> str:
    """The active language as one of settings.LANGUAGES (what a booking records)."""
    active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active if active in LANGUAGES else settings.LANGUAGE_CODE


class BookingCreateView(PublicAPIView):
    """Book a seat. The rush front answers most of these at a drop with the same core
    (organizers.services.booking.request, booking.statement) and the same bytes; this is the
    path for everything else (and the description of the endpoint)."""

    @extend_schema(
        request=s.BookingCreateSerializer,
        responses={
            201: s.BookingSerializer,
            **error_responses(400, 404, 409, 413, 415, 422, 429),
        },
        parameters=[
            OpenApiParameter(
                HEADER,
                {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH},
                OpenApiParameter.HEADER,
                description="A retry with the same key and body gets the first answer again "
                "(Idempotent-Replayed: true); with another body, 422 idempotency_key_reused.",
            )
        ],
    )
    def post(self, request: Request) -> Response:
        json_required(request.content_type or "")
        body_size_check(request.META)
        raw = request.body  # kept before parsing: the Idempotency-Key's fingerprint reads it
        payload = request.data
        chosen = payload.get("language") if isinstance(payload, dict) else None
        # The booking, its messages and this answer's words are in the body's language when it
        # names one we speak; else the request's (the language cookie; Bahasa Indonesia).
        language = chosen if chosen in LANGUAGES else request_language()
        with translation.override(language):
            return self._book(request, payload, raw, language)

    def _book(self, request: Request, payload: Any, raw: bytes, language: str) -> Response:
        booking, errors = booking_request_clean(payload)
        if booking is None:
            return Response(invalid_body(errors), status=400)
        if not request.META.get(attempt_limits.ATTEMPT_COUNTED):  # the front counted it
            try:
                attempt_limits.booking_attempt_count(
                    client=request.META.get("REMOTE_ADDR", ""), niks=(booking.nik,)
                )
            except attempt_limits.BookingAttemptsLimitedError as exc:
                return Response(
                    application_error_body(exc),
                    status=exc.status_code,
                    headers={"Retry-After": str(exc.retry_after)},
                )

        def respond() -> tuple[int, Any]:
            placed = place.booking_place(
                programme_id=booking.programme_id,
                slot_id=booking.slot_id,
                dose=booking.dose,
                person=booking.person(language=language),
                reserve_next_dose=booking.reserve_next_dose,
                invite_token=booking.invite_token or None,
                address=request.META.get("REMOTE_ADDR", ""),
            )
            return 201, s.booking_representation(placed, nik_masked=mask_nik(booking.nik))

        try:
            status, body, replayed = idempotent(
                scope="bookings.create",
                key=request.headers.get(HEADER),
                body=raw,
                respond=respond,
            )
        except ApplicationError as exc:  # worded here, in the booking's language
            return Response(application_error_body(exc), status=exc.status_code)
        response = Response(body, status=status)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _booking_with_proof(
    request: Request, voucher_code: str, form_class: type[s.ProofSerializer]
) -> tuple[Booking, dict]:
    form = form_class(data=request.data)
    form.is_valid(raise_exception=True)
    booking = access_booking_by_voucher(
        voucher_code=voucher_code,
        date_of_birth=form.validated_data["date_of_birth"],
        address=request.META.get("REMOTE_ADDR", ""),
    )
    return booking, form.validated_data


class BookingView(PublicAPIView):
    """Read a booking with its proof (voucher code in the path, date of birth in the body: a
    date of birth never goes into a URL, where logs would keep it)."""

    @extend_schema(
        request=s.ProofSerializer,
        responses={200: s.BookingSerializer, **error_responses(400, 404, 415, 429)},
    )
    def post(self, request: Request, voucher_code: str) -> Response:
        booking, _data = _booking_with_proof(request, voucher_code, s.ProofSerializer)
        return _booking_response(booking)


class BookingCancelView(PublicAPIView):
    @extend_schema(
        request=s.ProofSerializer,
        responses={200: s.BookingSerializer, **error_responses(400, 404, 409, 415, 429)},
    )
    def post(self, request: Request, voucher_code: str) -> Response:
        booking, _data = _booking_with_proof(request, voucher_code, s.ProofSerializer)
        booking_cancel_with_notice(booking_id=booking.id)
        booking.refresh_from_db()
        return _booking_response(booking)


class BookingRescheduleView(PublicAPIView):
    @extend_schema(
        request=s.RescheduleSerializer,
        responses={200: s.BookingSerializer, **error_responses(400, 404, 409, 415, 429)},
    )
    def post(self, request: Request, voucher_code: str) -> Response:
        booking, data = _booking_with_proof(request, voucher_code, s.RescheduleSerializer)
        moved = booking_reschedule_with_notice(booking_id=booking.id, new_slot_id=data["slot_id"])
        return _booking_response(moved)


class WaitlistJoinView(PublicAPIView):
    @extend_schema(
        request=s.WaitlistJoinSerializer,
        responses={201: s.WaitlistPlaceSerializer, **error_responses(400, 404, 409, 415, 429)},
    )
    def post(self, request: Request) -> Response:
        form = s.WaitlistJoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        # The API cannot prove an email address: a person admitted only by its domain is
        # refused (email_verification_required) and joins on the pages.
        entry = waitlist_join_checked(
            programme_id=data["programme_id"],
            venue_id=data["venue_id"],
            day=data["day"],
            dose=data["dose"],
            person=_person(data),
            address=request.META.get("REMOTE_ADDR", ""),
        )
        return Response(
            {"status": entry.status, "position": waitlist_position(entry=entry)}, status=201
        )


class WaitlistOfferAcceptView(PublicAPIView):
    @extend_schema(request=None, responses={201: s.BookingSerializer, **error_responses(404, 409)})
    def post(self, request: Request, token: str) -> Response:
        booking = waitlist_offer_accept_checked(token=token)
        return _booking_response(booking, status=201)


@extend_schema(exclude=True)
class NotFoundView(PublicAPIView):
    """Any other path under /api/ (a venue id that is not a number, a token with characters no
    token has, a version that does not exist), whatever the method: the API's 404 with the error
    body, not the pages' HTML one."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise NotFoundError()
