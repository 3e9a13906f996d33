"""API v1 on an organiser's host. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.v1 import rush
from api.v1 import serializers as s
from api.v1.parsers import SmallJSONParser
from organizers.access import access_booking_by_voucher
from organizers.personal_data import mask_nik, unseal
from organizers.selectors import (
    programme_list_active,
    venue_list_bookable,
    waitlist_position,
)
from organizers.services import bookings, capacity
from tenants.access import access_membership_by_tenant


class PublicAPIView(APIView):
    """For people who book: no account, no session, no CSRF, small JSON bodies."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    parser_classes = (SmallJSONParser,)


class OrganizerView(PublicAPIView):
    """Public facts about the organiser whose host this is."""

    @extend_schema(responses=None)
    def get(self, request: Request) -> Response:
        tenant = request.tenant
        return Response(
            {
                "name": tenant.name,
                "slug": tenant.slug,
                "accepting_bookings": tenant.review_status == "approved",
                "programmes": s.ProgrammeSerializer(programme_list_active(), many=True).data,
            }
        )


class MembershipView(APIView):
    """The signed-in user's role here; 404 for a user who is not a member."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(responses=None)
    def get(self, request: Request) -> Response:
        membership = access_membership_by_tenant(user=request.user, tenant=request.tenant)
        return Response({"email": request.user.email, "role": membership.role})


class ProgrammeListView(PublicAPIView):
    @extend_schema(responses=s.ProgrammeSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(s.ProgrammeSerializer(programme_list_active(), many=True).data)


class VenueListView(PublicAPIView):
    @extend_schema(responses=s.VenueSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(s.VenueSerializer(venue_list_bookable(), many=True).data)


class VenueSlotsView(PublicAPIView):
    """Slots of a venue on a day (the venue's local date) with the seats left. GETs are
    served by api.v1.rush.venue_slots; this class describes the endpoint for the schema."""

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method == "GET":
            return rush.venue_slots(request, kwargs["venue_id"])
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("date", dt.date, required=True),
            OpenApiParameter("programme", int),
        ],
        responses=s.SlotSerializer(many=True),
    )
    def get(self, request: Request, venue_id: int) -> Response:  # pragma: no cover - dispatch
        raise NotImplementedError


def _booking_response(
    booking: capacity.Booking, status: int = 200, nik: str | None = None
) -> Response:
    nik = nik or unseal(booking.nik_sealed, field="nik")
    return Response(s.booking_representation(booking, nik_masked=mask_nik(nik)), status=status)


def _person(data: dict) -> capacity.Person:
    return capacity.Person(
        nik=data["nik"], date_of_birth=data["date_of_birth"], full_name=data["full_name"],
        phone=data["phone"], email=data["email"], sex=data.get("sex", ""),
        language=rush.request_language(),
    )  # fmt: skip


class BookingCreateView(PublicAPIView):
    """Book a seat. POSTs are served by api.v1.rush.booking_create (the rush-hour path, without
    DRF's per-request machinery); this class describes the endpoint for the OpenAPI schema."""

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method == "POST":
            return rush.booking_create(request)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        request=s.BookingCreateSerializer,
        responses={201: s.BookingSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request: Request) -> Response:  # pragma: no cover - dispatch serves POST
        raise NotImplementedError


def _booking_with_proof(
    request: Request, voucher_code: str, form_class: type[s.ProofSerializer]
) -> tuple[capacity.Booking, dict]:
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

    @extend_schema(request=s.ProofSerializer, responses=s.BookingSerializer)
    def post(self, request: Request, voucher_code: str) -> Response:
        booking, _data = _booking_with_proof(request, voucher_code, s.ProofSerializer)
        return _booking_response(booking)


class BookingCancelView(PublicAPIView):
    @extend_schema(request=s.ProofSerializer, responses=s.BookingSerializer)
    def post(self, request: Request, voucher_code: str) -> Response:
        booking, _data = _booking_with_proof(request, voucher_code, s.ProofSerializer)
        bookings.booking_cancel_with_notice(booking_id=booking.id)
        booking.refresh_from_db()
        return _booking_response(booking)


class BookingRescheduleView(PublicAPIView):
    @extend_schema(request=s.RescheduleSerializer, responses=s.BookingSerializer)
    def post(self, request: Request, voucher_code: str) -> Response:
        booking, data = _booking_with_proof(request, voucher_code, s.RescheduleSerializer)
        moved = bookings.booking_reschedule_with_notice(
            booking_id=booking.id, new_slot_id=data["slot_id"]
        )
        return _booking_response(moved)


class WaitlistJoinView(PublicAPIView):
    @extend_schema(request=s.WaitlistJoinSerializer, responses={201: None})
    def post(self, request: Request) -> Response:
        form = s.WaitlistJoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        # The API cannot prove an email address: a person admitted only by its domain is
        # refused (email_verification_required) and joins on the pages.
        entry = bookings.waitlist_join_checked(
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
    @extend_schema(request=None, responses={201: s.BookingSerializer})
    def post(self, request: Request, token: str) -> Response:
        booking = bookings.waitlist_offer_accept_checked(token=token)
        return _booking_response(booking, status=201)
