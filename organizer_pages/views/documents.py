"""The organiser's documents and venue photos (/kelola/dokumen/): what was sent and what each
became (being checked, received, refused and why), and a form whose file goes straight from
the browser to S3 (organizer_pages/static/organizer_pages/documents.js: presign through the
API, POST to S3, confirm). Web processes never carry the file's bytes.

Owners and administrators only (organizer_admin_page). Views call documents.selectors and
documents.services; they write nothing themselves.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from common.security_headers import PAGE_POLICY
from documents import object_store
from documents.selectors import document_types_for, documents_for
from documents.services import document_view_link
from organizer_pages.views.access import organizer_admin_page
from organizers.selectors import venue_list
from tenants.errors import NotFoundError
from tenants.requests import request_tenant


@organizer_admin_page
def document_list_page(request: HttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    response = render(
        request,
        "organizer_pages/document_list.html",
        {
            "documents": documents_for(tenant),
            "document_types": document_types_for(company_programme=True),
            "venues": venue_list(),
        },
    )
    # The page's script posts the file to the bucket, another origin: allowed for this page
    # only, besides the policy every page has.
    nonce = getattr(request, "csp_nonce", "")
    response["Content-Security-Policy"] = PAGE_POLICY.format(nonce=nonce).replace(
        "connect-src 'self'", f"connect-src 'self' {object_store.upload_origins()}"
    )
    return response


@organizer_admin_page
def document_view_page(request: HttpRequest, document_id: int) -> HttpResponse:
    """To the document through a presigned GET that lives minutes (fixed type and
    disposition: documents.object_store.presigned_get)."""
    try:
        url = document_view_link(tenant=request_tenant(request), document_id=document_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return redirect(url)
