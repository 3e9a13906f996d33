"""What a stored upload must be before it counts as received. Pure functions over bytes: the
worker (documents.services.document_verify) downloads the object, calls `file_verify`, and
writes back what it returns.

- The type is decided by the content, never by the name or the Content-Type the browser sent;
  the declared type must match it.
- Markup (SVG, HTML), executables and archives are refused by their signatures, and so are
  polyglots: an image or PDF that also carries another format's signature where it should not.
- Images are decoded in full (a truncated one fails), limited in pixels, and re-encoded with
  Pillow without their metadata (EXIF, GPS included): the stored file is our encoding.
- PDFs are parsed with pypdf and refused when encrypted or carrying JavaScript, launch actions
  or embedded files; bytes after the last %%EOF (an appended archive) are refused too.
- clamd scans when SENTRA_CLAMD_ADDRESS is set (documents.clamd); otherwise there is no scan.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
IMAGE_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
# A 12-megapixel phone photo is 12 MP; above this a file is a decompression bomb, not a photo.
MAX_IMAGE_PIXELS = 50_000_000
# Markers of another format found inside an image or a PDF make it a polyglot.
_MARKUP = re.compile(rb"<(?:script|html|svg|iframe|body|!doctype\s+html|\?php)[\s>]", re.I)
_ARCHIVE_END = (b"PK\x05\x06", b"PK\x03\x04")
# PDF names that run something or carry files. pypdf decodes #xx escapes in names, so the
# parsed walk below sees /JavaScript however it was spelled; the raw scan is a cheap first look.
_PDF_ACTIVE_NAMES = frozenset(
    {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
)


class Refused(Exception):  # noqa: N818 (a verdict, not a program error)
    """The file is not accepted; `code` is one of documents.models.Document.Refusal."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Verified:
    content_type: str
    content: bytes
    rewritten: bool  # the content differs from the upload (a re-encoded image)


def content_type_sniff(data: bytes) -> str:
    """The type by the first bytes, or raises Refused with the kind of thing it is."""
    head = data[:512]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        raise Refused("executable")
    if head.startswith(
        (b"PK\x03\x04", b"PK\x05\x06", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")
    ):
        raise Refused("archive")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(b"<") or _MARKUP.search(head):
        raise Refused("markup")
    raise Refused("unknown_type")


def file_verify(
    data: bytes, *, declared_type: str, allowed_types: frozenset[str], max_bytes: int
) -> Verified:
    """Check `data` against the document type's rules; raises Refused(code)."""
    if not data:
        raise Refused("empty")
    if len(data) > max_bytes:
        raise Refused("too_large")
    content_type = content_type_sniff(data)
    if content_type not in allowed_types:
        raise Refused("type_not_allowed")
    if content_type != declared_type:
        raise Refused("type_mismatch")
    if content_type == PDF:
        pdf_verify(data)
        return Verified(content_type=PDF, content=data, rewritten=False)
    cleaned = image_reencode(data, content_type=content_type)
    return Verified(content_type=content_type, content=cleaned, rewritten=True)


def image_reencode(data: bytes, *, content_type: str) -> bytes:
    """Decode the whole image and encode it again, upright, without metadata."""
    if _MARKUP.search(data) or b"%PDF-" in data:
        raise Refused("polyglot")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != IMAGE_FORMATS[content_type]:
                raise Refused("type_mismatch")
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise Refused("image_too_large")
            probe.load()  # decodes every pixel: a truncated file raises here
            image = ImageOps.exif_transpose(probe)
    except Refused:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise Refused("unreadable") from exc
    if content_type == JPEG and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    # No exif=, no icc_profile= and no pnginfo=: nothing of the original's metadata is kept.
    if content_type == JPEG:
        image.save(out, format="JPEG", quality=88, optimize=False)
    elif content_type == PNG:
        image.save(out, format="PNG")
    else:
        image.save(out, format="WEBP", quality=88)
    return out.getvalue()


def pdf_verify(data: bytes) -> None:
    """Parse the PDF in full; refuse encryption, active content, embedded files and anything
    appended after its end."""
    tail = data[-2048:]
    end = tail.rfind(b"%%EOF")
    if end < 0 or tail[end + 5 :].strip(b"\r\n\t \x00"):
        raise Refused("polyglot")
    if any(marker in data[-65536:] for marker in _ARCHIVE_END) or _MARKUP.search(data[:1024]):
        raise Refused("polyglot")
    # /JS alone is too short to look for in compressed bytes; the parsed walk finds it.
    for name in (b"/JavaScript", b"/Launch", b"/EmbeddedFile"):
        if re.search(re.escape(name) + rb"[\s/<(\[>]", data):
            raise Refused(_pdf_code(name.decode()))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Refused("pdf_encrypted")
        if len(reader.pages) < 1:
            raise Refused("unreadable")
        for number, generation in _xref_entries(reader):
            obj = reader.get_object(IndirectObject(number, generation, reader))
            _pdf_object_check(obj)
        _pdf_object_check(reader.trailer["/Root"].get_object())
    except Refused:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise Refused("unreadable") from exc


def _xref_entries(reader: PdfReader) -> list[tuple[int, int]]:
    """Every object the cross-reference table (or streams) knows, compressed ones included."""
    entries: set[tuple[int, int]] = set()
    for generation, numbers in reader.xref.items():
        entries.update((number, generation) for number in numbers)
    entries.update((number, 0) for number in reader.xref_objStm)
    return sorted(entries)


def _pdf_code(name: str) -> str:
    if name in {"/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}:
        return "pdf_embedded_file"
    if name == "/Launch":
        return "pdf_launch"
    return "pdf_javascript"


def _pdf_object_check(obj: object) -> None:
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in _PDF_ACTIVE_NAMES:
                raise Refused(_pdf_code(str(key)))
            if isinstance(value, NameObject) and str(value) in _PDF_ACTIVE_NAMES:
                raise Refused(_pdf_code(str(value)))
            if isinstance(value, DictionaryObject | ArrayObject):
                _pdf_object_check(value)
    elif isinstance(obj, ArrayObject):
        for item in obj:
            _pdf_object_check(item)
