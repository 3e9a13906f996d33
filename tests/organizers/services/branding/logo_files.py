"""Logo files for the branding tests: real images of each format, and the files a logo upload
must refuse (with the refusal's code and words of its Indonesian message)."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

CAMERA = 0x010F  # EXIF "Make"


def an_image(
    image_format: str = "PNG",
    *,
    size: tuple[int, int] = (1200, 600),
    colour: tuple[int, ...] = (123, 31, 162),
    mode: str = "RGB",
    exif: bool = False,
) -> bytes:
    """A real image of `image_format`; with `exif`, a camera name and GPS-like metadata."""
    output = io.BytesIO()
    options: dict[str, object] = {}
    if exif:
        tags = Image.Exif()
        tags[CAMERA] = "SecretCam 3000"
        options["exif"] = tags
    Image.new(mode, size, colour).save(output, format=image_format, **options)
    return output.getvalue()


def a_bomb() -> bytes:
    """A 300 kB PNG that unpacks into 100 megapixels."""
    output = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(output, format="PNG", optimize=True)
    return output.getvalue()


REFUSED_FILES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "svg": (
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        "logo_not_image",
        "bukan gambar PNG, JPEG, WebP, atau GIF",
    ),
    "html renamed to .png": (
        lambda: b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
        "logo_not_image",
        "bukan gambar PNG, JPEG, WebP, atau GIF",
    ),
    "pdf": (lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "logo_not_image", "SVG"),
    "truncated png": (lambda: an_image("PNG")[:300], "logo_broken", "rusak"),
    "truncated jpeg": (lambda: an_image("JPEG")[:700], "logo_broken", "rusak"),
    "over 2 MB": (
        lambda: an_image("PNG") + b"\0" * (2 * 1024 * 1024),
        "logo_too_large",
        "2 MB",
    ),
    "decompression bomb": (a_bomb, "logo_too_many_pixels", "4000 x 4000"),
    "empty": (lambda: b"", "logo_empty", "kosong"),
}
