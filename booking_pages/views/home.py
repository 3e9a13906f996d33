"""The home page of an organiser's host: step 1 of booking."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from booking_pages.views.wizard import step_context
from organizers.selectors import programme_list_active


def home(request: HttpRequest) -> HttpResponse:
    """The organiser's public front page: step 1 of booking (choose a programme), and the way
    to manage a booking already made."""
    return render(
        request,
        "booking_pages/home.html",
        {"programmes": programme_list_active(), **step_context(1)},
    )
