"""documents.services against a real S3 API server (moto in server mode, tests/conftest.py):
the presigned POST's policy, the browser's upload, the worker's verification, refusals that
change nothing, the other tenant's ids and keys, deletion and the sweep."""

from __future__ import annotations

import base64
import datetime as dt
import json

import boto3
import pytest
import requests
from django.conf import settings
from django.utils import timezone

from documents.models import Document, DocumentType
from documents.selectors import documents_for, documents_missing
from documents.services import (
    UploadStarted,
    document_delete,
    document_upload_confirm,
    document_upload_start,
    document_verify,
    document_view_link,
    documents_sweep,
)
from tenants.errors import ApplicationError, ConflictError, NotFoundError
from tests.conftest import OrganizerFixture
from tests.documents import samples

pytestmark = pytest.mark.usefixtures("document_bucket")


def s3() -> object:
    return boto3.client(
        "s3", endpoint_url=settings.SENTRA_S3_ENDPOINT_URL, region_name=settings.SENTRA_S3_REGION
    )


def keys() -> list[str]:
    listing = s3().list_objects_v2(Bucket=settings.SENTRA_S3_BUCKET)  # type: ignore[attr-defined]
    return [item["Key"] for item in listing.get("Contents", [])]


def start(organizer: OrganizerFixture, data: bytes, **kwargs: object) -> UploadStarted:
    arguments: dict[str, object] = {
        "type_code": "nib",
        "content_type": "application/pdf",
        "size": len(data),
        "number": "1234567890123",
        "issuer": "OSS",
    }
    arguments.update(kwargs)
    return document_upload_start(tenant=organizer.tenant, by=organizer.owner, **arguments)  # type: ignore[arg-type]


def browser_upload(started: UploadStarted, data: bytes, *, name: str = "scan.pdf") -> int:
    """What the organiser's page does: multipart POST of the fields, then the file."""
    answer = requests.post(
        started.upload.url,
        data=started.upload.fields,
        files={"file": (name, data)},
        timeout=30,
    )
    return answer.status_code


def upload_and_verify(organizer: OrganizerFixture, data: bytes, **kwargs: object) -> Document:
    started = start(organizer, data, **kwargs)
    assert browser_upload(started, data) in (200, 201, 204)
    document_upload_confirm(tenant=organizer.tenant, document_id=started.document.id)
    return document_verify(document_id=started.document.id)


@pytest.fixture
def venue_id(tenant_a: OrganizerFixture) -> int:
    from tenants.context import tenant_scope
    from tests.organizers.factories import a_venue

    with tenant_scope(tenant_a.tenant):
        return a_venue().id


def policy(started: UploadStarted) -> dict:
    return json.loads(base64.b64decode(started.upload.fields["policy"]))


def test_presigned_post_policy_fixes_key_type_size_and_minutes(tenant_a: OrganizerFixture) -> None:
    before = timezone.now()
    started = start(tenant_a, samples.pdf())

    key = started.document.key
    assert key.startswith(f"tenants/{tenant_a.tenant.uid}/licence-documents/")
    assert key.endswith(".pdf")
    assert "scan" not in key
    conditions = policy(started)["conditions"]
    assert {"bucket": settings.SENTRA_S3_BUCKET} in conditions
    assert {"key": key} in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert ["content-length-range", 1, 10 * 1024 * 1024] in conditions
    expiration = dt.datetime.fromisoformat(policy(started)["expiration"].replace("Z", "+00:00"))
    assert dt.timedelta(minutes=9) < expiration - before <= dt.timedelta(minutes=11)
    assert started.upload.fields["key"] == key
    assert started.document.state == Document.State.AWAITING_UPLOAD


def test_pdf_uploaded_to_s3_is_received(tenant_a: OrganizerFixture) -> None:
    data = samples.pdf()
    document = upload_and_verify(tenant_a, data)

    assert document.state == Document.State.RECEIVED
    assert document.size == len(data)
    assert keys() == [document.key]
    assert list(documents_for(tenant_a.tenant)) == [document]


def test_photo_is_stored_reencoded_without_exif(tenant_a: OrganizerFixture, venue_id: int) -> None:
    data = samples.jpeg()
    document = upload_and_verify(
        tenant_a, data, type_code="venue_entrance", content_type="image/jpeg", venue_id=venue_id
    )

    assert document.state == Document.State.RECEIVED
    assert document.key.startswith(f"tenants/{tenant_a.tenant.uid}/venue-photos/")
    stored = s3().get_object(Bucket=settings.SENTRA_S3_BUCKET, Key=document.key)["Body"].read()  # type: ignore[attr-defined]
    assert stored != data
    assert b"Sentra Test Camera" not in stored
    assert stored.startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (samples.EXECUTABLE, "application/pdf", "executable"),  # renamed to .pdf
        (samples.png(), "application/pdf", "type_not_allowed"),  # renamed to .pdf
        (samples.pdf_with_javascript(), "application/pdf", "pdf_javascript"),
        (samples.SVG_WITH_SCRIPT, "application/pdf", "markup"),
    ],
    ids=["executable-renamed", "png-renamed", "pdf-javascript", "svg-script"],
)
def test_bad_file_is_refused_with_its_reason_and_deleted(
    tenant_a: OrganizerFixture, data: bytes, content_type: str, code: str
) -> None:
    document = upload_and_verify(tenant_a, data, content_type=content_type)

    assert (document.state, document.refusal) == (Document.State.REFUSED, code)
    assert document.object_deleted_at is not None
    assert keys() == []
    assert documents_missing(tenant_a.tenant)[:3] == [
        "health_office_recommendation",
        "nib",
        "operating_licence",
    ]


def test_refusal_reads_in_the_organisers_language(tenant_a: OrganizerFixture) -> None:
    from django.utils import translation

    document = upload_and_verify(tenant_a, samples.pdf_with_javascript())
    with translation.override("id"):
        indonesian = document.refusal_message
    with translation.override("en"):
        english = document.refusal_message
    assert english == "The PDF contains JavaScript."
    assert indonesian == "PDF berisi JavaScript."


def test_truncated_photo_is_refused(tenant_a: OrganizerFixture, venue_id: int) -> None:
    data = samples.jpeg(width=400, height=300)
    document = upload_and_verify(
        tenant_a,
        data[: len(data) // 2],
        type_code="venue_entrance",
        content_type="image/jpeg",
        venue_id=venue_id,
    )
    assert (document.state, document.refusal) == (Document.State.REFUSED, "unreadable")


def test_oversize_is_refused_at_presign(tenant_a: OrganizerFixture) -> None:
    with pytest.raises(ApplicationError) as refused:
        start(tenant_a, samples.pdf(), size=10 * 1024 * 1024 + 1)
    assert refused.value.code == "too_large"
    assert not Document.objects.filter(tenant=tenant_a.tenant).exists()


def test_oversize_upload_past_the_policy_is_refused_by_the_worker(
    tenant_a: OrganizerFixture,
) -> None:
    """moto does not enforce content-length-range (AWS does, with 400 EntityTooLarge): the
    policy says the limit (asserted above), and the worker refuses what got past it."""
    DocumentType.objects.filter(code="nib").update(max_bytes=1000)
    data = samples.pdf() + b"%" + b"x" * 2000 + b"\n%%EOF\n"
    started = start(tenant_a, data, size=900)
    assert ["content-length-range", 1, 1000] in policy(started)["conditions"]

    browser_upload(started, data)
    document_upload_confirm(tenant=tenant_a.tenant, document_id=started.document.id)
    document = document_verify(document_id=started.document.id)

    assert (document.state, document.refusal) == (Document.State.REFUSED, "too_large")
    assert keys() == []


def test_photo_of_another_tenants_venue_is_refused_at_presign(
    tenant_b: OrganizerFixture, venue_id: int
) -> None:
    with pytest.raises(ApplicationError) as refused:
        start(
            tenant_b,
            samples.jpeg(),
            type_code="venue_entrance",
            content_type="image/jpeg",
            venue_id=venue_id + 1_000_000,
        )
    assert refused.value.code == "venue_required"


def test_confirm_without_upload_is_refused_as_not_uploaded(tenant_a: OrganizerFixture) -> None:
    started = start(tenant_a, samples.pdf())
    document_upload_confirm(tenant=tenant_a.tenant, document_id=started.document.id)
    document = document_verify(document_id=started.document.id)
    assert (document.state, document.refusal) == (Document.State.REFUSED, "not_uploaded")


def test_other_tenants_document_by_id_is_not_found_and_unchanged(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    started = start(tenant_a, samples.pdf())
    document_id = started.document.id

    for call in (
        lambda: document_upload_confirm(tenant=tenant_b.tenant, document_id=document_id),
        lambda: document_delete(tenant=tenant_b.tenant, document_id=document_id),
        lambda: document_view_link(tenant=tenant_b.tenant, document_id=document_id),
    ):
        with pytest.raises(NotFoundError):
            call()

    assert Document.objects.get(id=document_id).state == Document.State.AWAITING_UPLOAD


def test_presigned_key_reused_for_another_tenant_changes_nothing(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    """Tenant B's own upload has a key under B's prefix only; posting B's file to A's signed
    key (the policy names it) and confirming B's document leaves A's document alone and B's
    refused as not uploaded."""
    started_a = start(tenant_a, samples.pdf())
    started_b = start(tenant_b, samples.pdf())
    assert started_b.document.key.startswith(f"tenants/{tenant_b.tenant.uid}/")
    assert {"key": started_a.document.key} in policy(started_a)["conditions"]

    browser_upload(started_a, samples.pdf())  # B sends its file with A's link
    document_upload_confirm(tenant=tenant_b.tenant, document_id=started_b.document.id)
    document_b = document_verify(document_id=started_b.document.id)

    assert (document_b.state, document_b.refusal) == (Document.State.REFUSED, "not_uploaded")
    assert Document.objects.get(id=started_a.document.id).state == Document.State.AWAITING_UPLOAD


def test_view_link_lives_minutes_and_never_renders_html(tenant_a: OrganizerFixture) -> None:
    document = upload_and_verify(tenant_a, samples.pdf())
    link = document_view_link(tenant=tenant_a.tenant, document_id=document.id)

    assert "X-Amz-Expires=300" in link
    answer = requests.get(link, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"] == f'inline; filename="nib-{document.id}.pdf"'
    assert answer.content == samples.pdf()


def test_view_link_of_a_document_not_received_is_not_found(tenant_a: OrganizerFixture) -> None:
    started = start(tenant_a, samples.pdf())
    with pytest.raises(NotFoundError):
        document_view_link(tenant=tenant_a.tenant, document_id=started.document.id)


def test_delete_while_draft_removes_row_and_object(tenant_a: OrganizerFixture) -> None:
    tenant_a.tenant.review_status = "pending"
    document = upload_and_verify(tenant_a, samples.pdf())

    document_delete(tenant=tenant_a.tenant, document_id=document.id)

    assert not Document.objects.filter(id=document.id).exists()
    assert keys() == []


def test_delete_after_approval_is_refused(tenant_a: OrganizerFixture) -> None:
    tenant_a.tenant.review_status = "pending"
    document = upload_and_verify(tenant_a, samples.pdf())
    tenant_a.tenant.review_status = "approved"

    with pytest.raises(ConflictError):
        document_delete(tenant=tenant_a.tenant, document_id=document.id)
    assert keys() == [document.key]


def test_sweep_deletes_abandoned_uploads_and_refused_objects(tenant_a: OrganizerFixture) -> None:
    abandoned = start(tenant_a, samples.pdf())
    browser_upload(abandoned, samples.pdf())
    fresh = start(tenant_a, samples.pdf())
    browser_upload(fresh, samples.pdf())
    refused = start(tenant_a, samples.pdf())
    Document.objects.filter(id=refused.document.id).update(
        state=Document.State.REFUSED, refusal="pdf_javascript"
    )
    browser_upload(refused, samples.pdf())

    later = timezone.now() + dt.timedelta(hours=1)
    Document.objects.filter(id=fresh.document.id).update(created_at=later)
    assert documents_sweep(now=later) == 2

    assert keys() == [fresh.document.key]
    assert not Document.objects.filter(id=abandoned.document.id).exists()
    assert Document.objects.get(id=refused.document.id).object_deleted_at is not None


def test_documents_missing_counts_received_documents_per_venue(
    tenant_a: OrganizerFixture, venue_id: int
) -> None:
    upload_and_verify(tenant_a, samples.pdf())
    upload_and_verify(
        tenant_a,
        samples.jpeg(),
        type_code="venue_entrance",
        content_type="image/jpeg",
        venue_id=venue_id,
    )

    missing = documents_missing(tenant_a.tenant, venue_ids=[venue_id])

    assert missing == [
        "health_office_recommendation",
        "operating_licence",
        f"venue_waiting_area@{venue_id}",
        f"venue_vaccination_room@{venue_id}",
        f"venue_observation_area@{venue_id}",
    ]
    assert "partner_agreement" in documents_missing(tenant_a.tenant, company_programme=True)


def test_infected_file_is_refused_when_clamd_is_configured(
    tenant_a: OrganizerFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from documents import services

    monkeypatch.setattr(services, "clamd_infected", lambda data: True)
    document = upload_and_verify(tenant_a, samples.pdf())
    assert (document.state, document.refusal) == (Document.State.REFUSED, "infected")
    assert keys() == []


def test_bucket_answers_the_organisers_page_across_origins(tenant_a: OrganizerFixture) -> None:
    """The page (https://alpha.<root>) posts to the bucket, another origin: the bucket's CORS
    rule lets the browser read the answer."""
    started = start(tenant_a, samples.pdf())
    answer = requests.post(
        started.upload.url,
        data=started.upload.fields,
        files={"file": ("scan.pdf", samples.pdf())},
        headers={"Origin": "https://alpha.localhost"},
        timeout=30,
    )
    assert answer.status_code in (200, 204)
    assert answer.headers["Access-Control-Allow-Origin"] == "https://alpha.localhost"


def test_the_task_verifies_by_id(tenant_a: OrganizerFixture) -> None:
    from documents.tasks import document_verify_task

    started = start(tenant_a, samples.pdf())
    browser_upload(started, samples.pdf())
    document_upload_confirm(tenant=tenant_a.tenant, document_id=started.document.id)

    assert document_verify_task.apply(args=[started.document.id]).get() == "received"
