"""Files go through one storage interface; every key starts with the tenant's identity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.test import override_settings

from tenants.context import tenant_scope
from tenants.errors import NotFoundError
from tenants.storage import tenant_file_open, tenant_file_save
from tests.conftest import OrganizerFixture

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_file_stored_in_tenant_a_has_a_key_prefix_and_lands_on_disk(
    tenant_a: OrganizerFixture, local_media: Path
) -> None:
    with tenant_scope(tenant_a.tenant):
        stored = tenant_file_save(
            category="licence-documents", content=PDF, content_type="application/pdf"
        )

    assert stored.key.startswith(f"tenants/{tenant_a.tenant.uid}/licence-documents/")
    assert stored.key.endswith(".pdf")
    assert (local_media / stored.key).read_bytes() == PDF


def test_tenant_b_cannot_open_a_file_of_tenant_a(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, local_media: Path
) -> None:
    with tenant_scope(tenant_a.tenant):
        stored = tenant_file_save(
            category="venue-photos", content=b"\x89PNG", content_type="image/png"
        )
        assert tenant_file_open(key=stored.key).read() == b"\x89PNG"

    with tenant_scope(tenant_b.tenant), pytest.raises(NotFoundError):
        tenant_file_open(key=stored.key)


def test_unknown_category_or_type_is_refused(tenant_a: OrganizerFixture, local_media: Path) -> None:
    with tenant_scope(tenant_a.tenant):
        with pytest.raises(ValueError, match="category"):
            tenant_file_save(category="../etc", content=PDF, content_type="application/pdf")
        with pytest.raises(ValueError, match="content type"):
            tenant_file_save(category="branding", content=b"<svg/>", content_type="image/svg+xml")
    assert list(local_media.rglob("*.*")) == []


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A local server that speaks the S3 API (moto), so the production path (boto3 through
    django-storages' S3Storage) runs for real."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_file_stored_through_s3_api_has_the_tenant_prefix(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    s3_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="ap-southeast-3")
    s3.create_bucket(
        Bucket="sentra-test",
        CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"},
    )
    storages = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "sentra-test",
                "region_name": "ap-southeast-3",
                "endpoint_url": s3_endpoint,
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        with tenant_scope(tenant_a.tenant):
            stored = tenant_file_save(
                category="licence-documents", content=PDF, content_type="application/pdf"
            )
            assert tenant_file_open(key=stored.key).read() == PDF
        with tenant_scope(tenant_b.tenant), pytest.raises(NotFoundError):
            tenant_file_open(key=stored.key)

    keys = [item["Key"] for item in s3.list_objects_v2(Bucket="sentra-test")["Contents"]]
    assert keys == [stored.key]
    assert stored.key.startswith(f"tenants/{tenant_a.tenant.uid}/licence-documents/")
    assert s3.get_object(Bucket="sentra-test", Key=stored.key)["Body"].read() == PDF
