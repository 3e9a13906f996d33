"""documents.verification: the type by content, images re-encoded without EXIF, PDFs parsed,
and every kind of file the issue lists refused with its reason."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from documents.verification import PDF, Refused, file_verify
from tests.documents import samples

PHOTOS = frozenset({"image/jpeg", "image/png", "image/webp"})
PDFS = frozenset({PDF})
MB = 1024 * 1024


def refusal(data: bytes, *, declared: str = PDF, allowed: frozenset[str] = PDFS) -> str:
    with pytest.raises(Refused) as refused:
        file_verify(data, declared_type=declared, allowed_types=allowed, max_bytes=10 * MB)
    return refused.value.code


def test_jpeg_is_reencoded_without_exif_and_gps() -> None:
    original = samples.jpeg()
    assert Image.open(io.BytesIO(original)).getexif()[0x0110] == "Sentra Test Camera"

    verified = file_verify(
        original, declared_type="image/jpeg", allowed_types=PHOTOS, max_bytes=10 * MB
    )

    assert verified.rewritten
    assert verified.content != original
    cleaned = Image.open(io.BytesIO(verified.content))
    assert cleaned.format == "JPEG"
    assert cleaned.size == (64, 48)
    assert dict(cleaned.getexif()) == {}
    assert b"Sentra Test Camera" not in verified.content


def test_plain_pdf_is_received_as_uploaded() -> None:
    data = samples.pdf()
    verified = file_verify(data, declared_type=PDF, allowed_types=PDFS, max_bytes=10 * MB)
    assert (verified.content_type, verified.content, verified.rewritten) == (PDF, data, False)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (samples.pdf_with_javascript(), "pdf_javascript"),
        (samples.pdf_encrypted(), "pdf_encrypted"),
        (samples.pdf_with_embedded_file(), "pdf_embedded_file"),
        (samples.pdf_with_launch_action(), "pdf_launch"),
        (samples.EXECUTABLE, "executable"),  # a program renamed to .pdf
        (samples.SVG_WITH_SCRIPT, "markup"),
        (samples.HTML, "markup"),
        (samples.ZIP, "archive"),
        (b"plain text, not a document", "unknown_type"),
        (b"", "empty"),
        (samples.pdf()[:-40], "polyglot"),  # cut before its %%EOF
        (samples.pdf() + samples.ZIP + b"PK\x05\x06" + b"\x00" * 18, "polyglot"),
    ],
    ids=[
        "pdf-javascript",
        "pdf-encrypted",
        "pdf-embedded-file",
        "pdf-launch",
        "executable-renamed",
        "svg-script",
        "html",
        "zip",
        "text",
        "empty",
        "pdf-truncated",
        "pdf-zip-polyglot",
    ],
)
def test_pdf_document_refusals(data: bytes, code: str) -> None:
    assert refusal(data) == code


def test_png_renamed_to_pdf_is_refused_by_its_content() -> None:
    assert refusal(samples.png()) == "type_not_allowed"


def test_png_declared_as_jpeg_is_a_mismatch() -> None:
    assert refusal(samples.png(), declared="image/jpeg", allowed=PHOTOS) == "type_mismatch"


def test_truncated_jpeg_is_unreadable() -> None:
    data = samples.jpeg(width=400, height=300)
    assert refusal(data[: len(data) // 2], declared="image/jpeg", allowed=PHOTOS) == "unreadable"


def test_jpeg_carrying_html_is_a_polyglot() -> None:
    data = samples.jpeg() + b"<html><script>alert(1)</script></html>"
    assert refusal(data, declared="image/jpeg", allowed=PHOTOS) == "polyglot"


def test_oversize_is_refused_before_parsing() -> None:
    with pytest.raises(Refused) as refused:
        file_verify(samples.pdf(), declared_type=PDF, allowed_types=PDFS, max_bytes=100)
    assert refused.value.code == "too_large"
