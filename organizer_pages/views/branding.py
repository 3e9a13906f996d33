"""The organiser's branding page (/kelola/tampilan/) and its preview, and the logo as the
booking pages and emails load it (/logo/<version>.png).

Branding pages: owners and administrators only (organizer_pages.views.access, the same gate as
the other /kelola/ pages). A save goes through organizers.services.branding; the preview checks
the same values and renders the booking home with them without writing anything.

The logo is served by the organiser's own host rather than from a storage URL: the local disk
has no public URL, S3 presigned URLs expire (an email opened next week would show a broken
image), and a public bucket would make every tenant's objects listable by key. The view reads
the current tenant's branding row and opens the key through tenants.storage, which refuses any
key outside the tenant's prefix, so no URL on one host can reach another organiser's logo. The
URL carries the logo's version: browsers and CDNs may keep it for a year, and a new logo gets a
new URL.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from organizer_pages.branding_forms import BrandingForm, faq_row_count
from organizer_pages.forms import add_service_errors
from organizer_pages.views.access import organizer_admin_page
from organizers.phone import phone_display
from organizers.selectors import branding_get, programme_list_active
from organizers.services.branding.colours import DEFAULT_COLOUR
from organizers.services.branding.display import branding_view_for_language, branding_view_get
from organizers.services.branding.editing import (
    BrandingDraft,
    branding_draft,
    branding_update,
    branding_view_from_draft,
)
from organizers.services.branding.logo import LOGO_CONTENT_TYPE, logo_content_get
from tenants.errors import ApplicationError

FORM_TEMPLATE = "organizer_pages/branding_form.html"
PREVIEW_TEMPLATE = "organizer_pages/branding_preview.html"
YEAR = 60 * 60 * 24 * 365


def _initial() -> tuple[dict[str, object], int]:
    branding = branding_get()
    if branding is None:
        return {"primary_colour": DEFAULT_COLOUR}, 0
    initial: dict[str, object] = {
        "primary_colour": branding.primary_colour,
        "welcome_text": branding.welcome_text,
        "welcome_text_en": branding.welcome_text_en,
        "contact_email": branding.contact_email,
        "contact_phone": phone_display(branding.contact_phone),
    }
    for row, item in enumerate(branding.faq):
        initial[f"faq_question_{row}"] = item.get("question", "")
        initial[f"faq_answer_{row}"] = item.get("answer", "")
    return initial, len(branding.faq)


def _posted_form(request: HttpRequest) -> tuple[BrandingForm, BrandingDraft | None]:
    """The posted form and, when every value passes the service's checks, the draft."""
    form = BrandingForm(
        request.POST,
        request.FILES,
        faq_rows=faq_row_count(posted=request.POST.get("faq_rows")),
    )
    if not form.is_valid():
        return form, None
    logo = form.new_logo()
    try:
        draft = branding_draft(
            **form.draft_arguments(),
            logo=logo[0] if logo else None,
            logo_size=logo[1] if logo else None,
        )
    except ApplicationError as exc:
        add_service_errors(form, exc)
        return form, None
    return form, draft


def _form_page(request: HttpRequest, form: BrandingForm) -> HttpResponse:
    saved = branding_view_get()
    return render(request, FORM_TEMPLATE, {"form": form, "saved_logo_url": saved.logo_url})


@organizer_admin_page
def branding_edit_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial, saved_questions = _initial()
        form = BrandingForm(initial=initial, faq_rows=faq_row_count(saved=saved_questions))
        return _form_page(request, form)
    form, draft = _posted_form(request)
    if draft is None:
        return _form_page(request, form)
    try:
        branding_update(draft=draft, remove_logo=form.cleaned_data["remove_logo"])
    except ApplicationError as exc:
        add_service_errors(form, exc)
        return _form_page(request, form)
    messages.success(request, _("Your booking page's look is saved."))
    return redirect("branding_edit")


@organizer_admin_page
def branding_preview_page(request: HttpRequest) -> HttpResponse:
    """GET: the booking home with the saved branding. POST (the form's "Preview" button): with
    the values just typed, saved nowhere; the page offers to save exactly those."""
    language = getattr(request, "LANGUAGE_CODE", "id")
    carried: list[tuple[str, object]] = []
    if request.method != "POST":
        view = branding_view_for_language(branding_view_get(), language=language)
    else:
        form, draft = _posted_form(request)
        if draft is None:
            return _form_page(request, form)
        saved = branding_view_get()
        if draft.logo is not None:
            encoded = base64.b64encode(draft.logo.content).decode("ascii")
            logo_url: str | None = f"data:{LOGO_CONTENT_TYPE};base64,{encoded}"
            carried.append(("logo_data", encoded))
        elif form.cleaned_data["remove_logo"]:
            logo_url = None
        else:
            logo_url = saved.logo_url
        view = branding_view_for_language(
            branding_view_from_draft(draft, logo_url=logo_url), language=language
        )
        carried += [
            (name, value)
            for name, value in request.POST.items()
            if name not in ("csrfmiddlewaretoken", "logo_data", "logo")
        ]
    return render(
        request,
        PREVIEW_TEMPLATE,
        {
            "branding": view,
            "programmes": programme_list_active(),
            "carried": carried,
        },
    )


@require_safe
def logo(request: HttpRequest, version: str) -> HttpResponse:
    """The current organiser's logo (PNG). The asked version only decides the caching: the
    current logo under its own version for a year, under an old version for five minutes
    (an old email still shows the current logo)."""
    found = logo_content_get()
    if found is None:
        raise Http404(_("Not found."))
    content, current = found
    etag = f'"{current}"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type=LOGO_CONTENT_TYPE)
        response["Content-Disposition"] = 'inline; filename="logo.png"'
        response["Content-Security-Policy"] = "default-src 'none'"
    response["ETag"] = etag
    response["Cache-Control"] = (
        f"public, max-age={YEAR}, immutable" if version == current else "public, max-age=300"
    )
    return response
