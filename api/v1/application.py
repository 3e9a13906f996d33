"""The organiser's application through the API (owners and administrators of this host's
organiser, signed in): read it, save changes to the draft, submit it. The same services as the
page /kelola/pengajuan/ (applications.services). Anyone else signed in gets 404, the anonymous
403."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.exception_handlers import invalid_body
from api.v1.errors import error_responses
from api.v1.parsers import SmallJSONParser
from applications import areas
from applications.models import OrganiserApplication
from applications.selectors import (
    application_documents_missing,
    application_editable,
    application_for_company,
    application_get,
    application_missing,
)
from applications.services import EDITABLE_FIELDS, application_draft_save, application_submit
from tenants.access import access_membership_by_tenant
from tenants.errors import ApplicationError
from tenants.models import Membership, Tenant, User
from tenants.requests import request_tenant

ADMIN_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


class ApplicationSerializer(serializers.Serializer):
    """The shape of the application (documentation; the view builds it). Values as stored: NPWP
    and NIB as digits, the phone as +62..., areas as Kemendagri codes with their names."""

    legal_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganiserApplication.Kind.choices, allow_blank=True)
    npwp = serializers.CharField()
    nib = serializers.CharField()
    address = serializers.CharField()
    province_code = serializers.CharField()
    province_name = serializers.CharField()
    regency_code = serializers.CharField()
    regency_name = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    partner_facility_name = serializers.CharField()
    partner_facility_address = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    editable = serializers.BooleanField(help_text="A draft, or sent back for changes.")
    missing_fields = serializers.ListField(
        child=serializers.CharField(), help_text="Fields still empty that submission needs."
    )
    documents_missing = serializers.ListField(
        child=serializers.CharField(), help_text="Licence documents not received yet."
    )


class ApplicationChangesSerializer(serializers.Serializer):
    """PATCH: the fields to change, as people type them; fields left out keep their values."""

    legal_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    kind = serializers.ChoiceField(
        required=False, allow_blank=True, choices=OrganiserApplication.Kind.choices
    )
    npwp = serializers.CharField(required=False, allow_blank=True, max_length=40)
    nib = serializers.CharField(required=False, allow_blank=True, max_length=40)
    address = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    province_code = serializers.CharField(required=False, allow_blank=True, max_length=2)
    regency_code = serializers.CharField(required=False, allow_blank=True, max_length=5)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    partner_facility_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    partner_facility_address = serializers.CharField(
        required=False, allow_blank=True, max_length=1000
    )


def _body(tenant: Tenant, application: OrganiserApplication | None) -> dict[str, Any]:
    values = {field: getattr(application, field, "") or "" for field in EDITABLE_FIELDS}
    return {
        **values,
        "province_name": areas.area_name(values["province_code"]),
        "regency_name": areas.area_name(values["regency_code"]),
        "submitted_at": application.submitted_at if application else None,
        "editable": application_editable(tenant=tenant, application=application),
        "missing_fields": list(application_missing(application)),
        "documents_missing": application_documents_missing(
            tenant=tenant, company=application_for_company(application)
        ),
    }


def _admin(request: Request) -> tuple[Tenant, User]:
    tenant = request_tenant(request)
    membership = access_membership_by_tenant(user=request.user, tenant=tenant, roles=ADMIN_ROLES)
    return tenant, membership.user


def _invalid(exc: ApplicationError) -> Response | None:
    """A refusal naming fields: the 400 with `fields`, like any invalid body."""
    if exc.code != "invalid" or not exc.extra:
        return None
    return Response(invalid_body(exc.extra), status=400)


class ApplicationView(APIView):
    parser_classes = (SmallJSONParser,)

    @extend_schema(responses={200: ApplicationSerializer, **error_responses(403, 404)})
    def get(self, request: Request) -> Response:
        tenant, _user = _admin(request)
        return Response(_body(tenant, application_get(tenant=tenant)))

    @extend_schema(
        request=ApplicationChangesSerializer,
        responses={200: ApplicationSerializer, **error_responses(400, 403, 404, 409, 413, 415)},
    )
    def patch(self, request: Request) -> Response:
        tenant, user = _admin(request)
        if not isinstance(request.data, dict):
            return Response(
                invalid_body({"non_field_errors": [_("Send a JSON object.")]}), status=400
            )
        unknown = sorted(set(request.data) - set(EDITABLE_FIELDS))
        if unknown:
            return Response(
                invalid_body({name: [_("This field does not exist.")] for name in unknown}),
                status=400,
            )
        changes = ApplicationChangesSerializer(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        try:
            application = application_draft_save(
                tenant=tenant, by=user, changes=dict(changes.validated_data)
            )
        except ApplicationError as exc:
            invalid = _invalid(exc)
            if invalid is None:
                raise
            return invalid
        return Response(_body(tenant, application))


class ApplicationSubmitView(APIView):
    parser_classes = (SmallJSONParser,)

    @extend_schema(
        request=None,
        responses={200: ApplicationSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        tenant, user = _admin(request)
        application = application_submit(tenant=tenant, by=user)
        return Response(_body(tenant, application))
