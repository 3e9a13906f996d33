"""API v1 on an organiser's host."""

from django.urls import path

from api.v1 import views

urlpatterns = [
    path("organizer", views.OrganizerView.as_view(), name="organizer"),
    path("me", views.MembershipView.as_view(), name="me"),
]
