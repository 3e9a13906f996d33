"""Pages of an organiser's host."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organizers.selectors import programme_list_active
from public_site.views.booking import step_context


def home(request: HttpRequest) -> HttpResponse:
    """The organiser's public front page: step 1 of booking (choose a programme), and the way
    to manage a booking already made."""
    return render(
        request,
        "public_site/tenant_home.html",
        {"programmes": programme_list_active(), **step_context(1)},
    )
