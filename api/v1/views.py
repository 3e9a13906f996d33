from __future__ import annotations

from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organizers.selectors import programme_list_active
from tenants.access import access_membership_by_tenant


class ProgrammeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class OrganizerView(APIView):
    """Public facts about the organiser whose host this is."""

    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        tenant = request.tenant
        return Response(
            {
                "name": tenant.name,
                "slug": tenant.slug,
                "accepting_bookings": tenant.review_status == "approved",
                "programmes": ProgrammeSerializer(programme_list_active(), many=True).data,
            }
        )


class MembershipView(APIView):
    """The signed-in user's role here; 404 for a user who is not a member."""

    permission_classes = (IsAuthenticated,)

    def get(self, request: Request) -> Response:
        membership = access_membership_by_tenant(user=request.user, tenant=request.tenant)
        return Response({"email": request.user.email, "role": membership.role})
