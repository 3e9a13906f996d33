"""The S3 bucket of licence documents and venue photos, through boto3: the same calls against
AWS S3 in production and against moto in server mode on this machine (`./sentra run`, the
tests). Web processes only sign: the browser sends the bytes to S3 (presigned POST) and reads
them from S3 (presigned GET); only the verifying worker downloads an object.

Keys are built by documents.services from the tenant's immutable identity (never a file name).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.client import Config
from botocore.exceptions import ClientError
from django.conf import settings

# When each process last made sure of the embedded bucket: again after a minute, since the
# embedded server keeps its buckets in memory and is started again when it dies.
_bucket_checked: dict[tuple[str, str], float] = {}
BUCKET_RECHECK_SECONDS = 60.0
_lock = threading.Lock()


@dataclass(frozen=True)
class PresignedPost:
    """What the browser posts to: `url`, and `fields` to send before the file (key, policy,
    signature). The policy fixes the key, the content type and the size range."""

    url: str
    fields: dict[str, str]


def _client() -> Any:
    client = boto3.client(
        "s3",
        region_name=settings.SENTRA_S3_REGION,
        endpoint_url=settings.SENTRA_S3_ENDPOINT_URL or None,
        # Signature version 4 for every call (presigned POSTs included), as AWS requires in
        # newer regions such as ap-southeast-3; path-style keeps a local endpoint's host.
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if settings.SENTRA_S3_ENDPOINT_URL else "auto"},
        ),
    )
    if settings.SENTRA_S3_CREATE_BUCKET:
        _bucket_ensure(client)
    return client


def _bucket_ensure(client: Any) -> None:
    """Embedded and test servers start empty: create the bucket (checked once a minute per
    process), with a CORS rule that lets the organiser's pages (another origin) post to it and
    read the answer. In production the bucket and its CORS rule come from infra/terraform."""
    marker = (settings.SENTRA_S3_ENDPOINT_URL, settings.SENTRA_S3_BUCKET)
    with _lock:
        if time.monotonic() - _bucket_checked.get(marker, -BUCKET_RECHECK_SECONDS) < (
            BUCKET_RECHECK_SECONDS
        ):
            return
        try:
            client.head_bucket(Bucket=settings.SENTRA_S3_BUCKET)
        except ClientError:
            client.create_bucket(
                Bucket=settings.SENTRA_S3_BUCKET,
                CreateBucketConfiguration={"LocationConstraint": settings.SENTRA_S3_REGION},
            )
        client.put_bucket_cors(
            Bucket=settings.SENTRA_S3_BUCKET,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedMethods": ["POST"],
                        "AllowedOrigins": ["*"],
                        "AllowedHeaders": ["*"],
                        "MaxAgeSeconds": 600,
                    }
                ]
            },
        )
        _bucket_checked[marker] = time.monotonic()


def presigned_post(*, key: str, content_type: str, max_bytes: int, seconds: int) -> PresignedPost:
    """A POST the browser may make once, for `seconds`: exactly this key and content type, and
    between 1 byte and `max_bytes`."""
    post = _client().generate_presigned_post(
        Bucket=settings.SENTRA_S3_BUCKET,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", 1, max_bytes],
        ],
        ExpiresIn=seconds,
    )
    return PresignedPost(url=post["url"], fields=dict(post["fields"]))


def presigned_get(*, key: str, filename: str, content_type: str, seconds: int) -> str:
    """A link that reads the object for `seconds`, answered as a download of a fixed type: the
    object's own headers never decide how a browser renders it (no stored HTML is ever shown
    inline)."""
    disposition_type = "inline" if content_type in INLINE_TYPES else "attachment"
    return str(
        _client().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": settings.SENTRA_S3_BUCKET,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": f'{disposition_type}; filename="{filename}"',
            },
            ExpiresIn=seconds,
        )
    )


def upload_origins() -> str:
    """The origins the browser posts uploads to, for the page's Content-Security-Policy:
    the configured endpoint's, or the bucket's AWS host names (boto3 signs either form)."""
    from urllib.parse import urlsplit

    if settings.SENTRA_S3_ENDPOINT_URL:
        parts = urlsplit(settings.SENTRA_S3_ENDPOINT_URL)
        return f"{parts.scheme}://{parts.netloc}"
    bucket, region = settings.SENTRA_S3_BUCKET, settings.SENTRA_S3_REGION
    return f"https://{bucket}.s3.{region}.amazonaws.com https://{bucket}.s3.amazonaws.com"


# Types a browser may show inline: verified images and PDFs (re-encoded or parsed by the
# worker). Anything else would be a download.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "image/webp"})


def object_size(*, key: str) -> int | None:
    """The stored object's size, or None when nothing was uploaded at that key."""
    try:
        head = _client().head_object(Bucket=settings.SENTRA_S3_BUCKET, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    return int(head["ContentLength"])


def object_read(*, key: str) -> bytes:
    answer = _client().get_object(Bucket=settings.SENTRA_S3_BUCKET, Key=key)
    return bytes(answer["Body"].read())


def object_write(*, key: str, content: bytes, content_type: str) -> None:
    """Replace the object (a re-encoded image takes the place of the upload)."""
    _client().put_object(
        Bucket=settings.SENTRA_S3_BUCKET, Key=key, Body=content, ContentType=content_type
    )


def object_delete(*, key: str) -> None:
    """Delete the object; deleting a key that holds nothing is not an error in S3."""
    _client().delete_object(Bucket=settings.SENTRA_S3_BUCKET, Key=key)
