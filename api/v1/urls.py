"""API v1 on an organiser's host. Every pattern needs a row in tests/test_isolation.py."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import hot
from api.v1 import application, documents, views
from common import link_tokens  # noqa: F401 (registers <token:...>)

urlpatterns = [
    # The two rush-hour endpoints first (patterns are tried in order); named in api.hot.
    path(hot.BOOKINGS_ROUTE, views.BookingCreateView.as_view(), name="bookings"),
    path(hot.VENUE_SLOTS_ROUTE, views.VenueSlotsView.as_view(), name="venue-slots"),
    path("organizer", views.OrganizerView.as_view(), name="organizer"),
    path("me", views.MembershipView.as_view(), name="me"),
    path("application", application.ApplicationView.as_view(), name="application"),
    path(
        "application/submit",
        application.ApplicationSubmitView.as_view(),
        name="application-submit",
    ),
    path("programmes", views.ProgrammeListView.as_view(), name="programmes"),
    path("venues", views.VenueListView.as_view(), name="venues"),
    path("bookings/<str:voucher_code>/view", views.BookingView.as_view(), name="booking"),
    path(
        "bookings/<str:voucher_code>/cancel",
        views.BookingCancelView.as_view(),
        name="booking-cancel",
    ),
    path(
        "bookings/<str:voucher_code>/reschedule",
        views.BookingRescheduleView.as_view(),
        name="booking-reschedule",
    ),
    path("waitlist", views.WaitlistJoinView.as_view(), name="waitlist"),
    path(
        "waitlist/offers/<token:token>/accept",
        views.WaitlistOfferAcceptView.as_view(),
        name="waitlist-offer-accept",
    ),
    # The organiser's licence documents and venue photos (api/v1/documents.py).
    path("documents", documents.DocumentListView.as_view(), name="documents"),
    path("documents/<int:document_id>", documents.DocumentView.as_view(), name="document"),
    path(
        "documents/<int:document_id>/confirm",
        documents.DocumentConfirmView.as_view(),
        name="document-confirm",
    ),
    path(
        "documents/<int:document_id>/link",
        documents.DocumentLinkView.as_view(),
        name="document-link",
    ),
    path(
        "schema",
        SpectacularAPIView.as_view(authentication_classes=(), permission_classes=()),
        name="schema",
    ),
]
