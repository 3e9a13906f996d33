"""The organiser's documents on API v1 (issue #12, item 7): list, start an upload (a presigned
POST the browser sends the file to, straight to S3), confirm it, a viewing link, delete while
the application is a draft. Owners and administrators of this host's organiser; anyone else
signed in gets 404, the anonymous 403. Thin: documents.services and documents.selectors do the
work."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.v1.errors import error_responses
from api.v1.parsers import SmallJSONParser
from documents.models import Document
from documents.selectors import documents_for
from documents.services import (
    document_delete,
    document_upload_confirm,
    document_upload_start,
    document_view_link,
)
from tenants.access import access_membership_by_tenant
from tenants.models import Membership, Tenant
from tenants.requests import request_tenant

CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/webp")


class DocumentSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="document_type.code")
    type_name = serializers.CharField(source="document_type.name")
    refusal_message = serializers.CharField()

    class Meta:
        model = Document
        fields = (
            "id",
            "type",
            "type_name",
            "venue_id",
            "number",
            "issuer",
            "issued_on",
            "expires_on",
            "content_type",
            "size",
            "state",
            "refusal",
            "refusal_message",
            "created_at",
        )


class DocumentUploadRequestSerializer(serializers.Serializer):
    type = serializers.SlugField(max_length=40, help_text="A document type's code.")
    content_type = serializers.ChoiceField(choices=CONTENT_TYPES)
    size = serializers.IntegerField(min_value=1, help_text="The file's size in bytes.")
    venue_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    issued_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)


class PresignedPostSerializer(serializers.Serializer):
    url = serializers.URLField()
    fields = serializers.DictField(child=serializers.CharField())  # type: ignore[assignment]


class DocumentUploadSerializer(serializers.Serializer):
    document = DocumentSerializer()
    upload = PresignedPostSerializer(
        help_text="POST multipart/form-data to `url`: every field of `fields`, then `file`."
    )
    expires_in = serializers.IntegerField(help_text="Seconds the upload link lives.")


class DocumentLinkSerializer(serializers.Serializer):
    url = serializers.URLField()
    expires_in = serializers.IntegerField()


def _organizer_admin_tenant(request: Request) -> Tenant:
    tenant = request_tenant(request)
    access_membership_by_tenant(
        user=request.user,
        tenant=tenant,
        roles=(Membership.Role.OWNER, Membership.Role.ADMIN),
    )
    return tenant


class OrganizerAdminAPIView(APIView):
    permission_classes = (IsAuthenticated,)
    parser_classes = (SmallJSONParser,)


class DocumentListView(OrganizerAdminAPIView):
    @extend_schema(
        operation_id="documents_list",
        responses={200: DocumentSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request) -> Response:
        tenant = _organizer_admin_tenant(request)
        return Response(DocumentSerializer(documents_for(tenant), many=True).data)

    @extend_schema(
        operation_id="documents_upload_start",
        request=DocumentUploadRequestSerializer,
        responses={201: DocumentUploadSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        tenant = _organizer_admin_tenant(request)
        serializer = DocumentUploadRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        started = document_upload_start(
            tenant=tenant,
            by=request.user,  # type: ignore[arg-type]
            type_code=data.pop("type"),
            **data,
        )
        body = {
            "document": DocumentSerializer(started.document).data,
            "upload": {"url": started.upload.url, "fields": started.upload.fields},
            "expires_in": started.expires_in,
        }
        return Response(body, status=201)


class DocumentConfirmView(OrganizerAdminAPIView):
    @extend_schema(request=None, responses={202: DocumentSerializer, **error_responses(403, 404)})
    def post(self, request: Request, document_id: int) -> Response:
        tenant = _organizer_admin_tenant(request)
        document = document_upload_confirm(tenant=tenant, document_id=document_id)
        return Response(DocumentSerializer(document).data, status=202)


class DocumentView(OrganizerAdminAPIView):
    @extend_schema(request=None, responses={204: None, **error_responses(403, 404, 409)})
    def delete(self, request: Request, document_id: int) -> Response:
        tenant = _organizer_admin_tenant(request)
        document_delete(tenant=tenant, document_id=document_id)
        return Response(status=204)


class DocumentLinkView(OrganizerAdminAPIView):
    @extend_schema(responses={200: DocumentLinkSerializer, **error_responses(403, 404)})
    def get(self, request: Request, document_id: int) -> Response:
        tenant = _organizer_admin_tenant(request)
        url = document_view_link(tenant=tenant, document_id=document_id)
        return Response({"url": url, "expires_in": settings.SENTRA_DOCUMENT_VIEW_SECONDS})
