"""The organiser's logo: an upload checked and re-encoded, and the stored logo read back.
Tenant schema (reading only; `logo_prepare` is pure).

The logo is judged by its content, never by its name or declared type: Pillow must recognise
it as PNG, JPEG, WebP or GIF, it must decode completely, and it must stay under a size and a
pixel limit (a small file can unpack into gigabytes: a "decompression bomb"). It is then
re-encoded from the decoded pixels (EXIF, GPS, comments and anything hidden after the image
data are gone), scaled to at most 512 x 512 px, and only that PNG is stored. PNG because every
email client shows it (WebP is still missing from some) and logos are mostly flat colour.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from organizers.services.branding.errors import BrandingError
from tenants.errors import NotFoundError, UserText
from tenants.storage import tenant_file_open

LOGO_MAX_BYTES = 2 * 1024 * 1024
# 4000 x 4000: a phone photo fits; a 2 MB file that unpacks into 400 megapixels does not.
LOGO_MAX_PIXELS = 16_000_000
LOGO_MAX_SIDE = 512
LOGO_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
LOGO_CONTENT_TYPE = "image/png"


@dataclass(frozen=True)
class PreparedLogo:
    content: bytes  # the re-encoded PNG: the only bytes ever stored or served
    width: int
    height: int


def _refuse_logo(message: UserText, code: str) -> BrandingError:
    return BrandingError(message, code=code, field="logo")


def logo_prepare(*, content: bytes, size: int | None = None) -> PreparedLogo:
    """Check an uploaded logo by its content and re-encode it. Pure: stores nothing.

    Refusals (BrandingError, field `logo`): `logo_empty`, `logo_too_large` (over 2 MB),
    `logo_not_image` (not PNG, JPEG, WebP or GIF by content: SVG, HTML, PDF...),
    `logo_too_many_pixels` (decompression bomb), `logo_broken` (truncated or corrupt).
    `size`: the upload's full size when the caller read only the first bytes of a huge one."""
    if not content:
        raise _refuse_logo(_("The logo file is empty."), "logo_empty")
    size = max(size or 0, len(content))
    if size > LOGO_MAX_BYTES:
        raise _refuse_logo(
            _("The logo is %(size)s MB; the largest accepted is 2 MB.")
            % {"size": f"{size / (1024 * 1024):.1f}"},
            "logo_too_large",
        )
    not_image = _refuse_logo(
        _("This file is not a PNG, JPEG, WebP or GIF image. SVG and other files are refused."),
        "logo_not_image",
    )
    broken = _refuse_logo(
        _("The image could not be read completely: it may be damaged. Export it again."),
        "logo_broken",
    )
    too_many_pixels = _refuse_logo(
        _("The image is too large in pixels (at most 4000 x 4000)."), "logo_too_many_pixels"
    )
    with warnings.catch_warnings():
        # Pillow's own bomb check warns first and raises only at twice its limit.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # The header alone: size and format, no pixels decoded yet.
            with Image.open(io.BytesIO(content), formats=LOGO_FORMATS) as probe:
                if probe.width * probe.height > LOGO_MAX_PIXELS:
                    raise too_many_pixels
                probe.verify()
            with Image.open(io.BytesIO(content), formats=LOGO_FORMATS) as image:
                image.seek(0)  # an animated GIF or WebP: its first frame
                if image.format == "JPEG":
                    # Decode a phone photo at 1/2 to 1/8 scale (DCT scaling): 12 MP in about
                    # a fifth of the time, still at least twice the size kept.
                    image.draft(image.mode, (LOGO_MAX_SIDE * 2, LOGO_MAX_SIDE * 2))
                image.load()
                upright = ImageOps.exif_transpose(image)
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or ("transparency" in upright.info)
                pixels = upright.convert("RGBA" if has_alpha else "RGB")
        except BrandingError:
            raise
        except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
            if isinstance(exc, Image.DecompressionBombError):
                raise too_many_pixels from exc
            raise not_image from exc
        except Image.DecompressionBombWarning as exc:
            raise too_many_pixels from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise broken from exc
    # A new image from the pixels alone: no EXIF, ICC, text chunks or trailing data survive.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    clean.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    clean.save(output, format="PNG", optimize=True)
    return PreparedLogo(content=output.getvalue(), width=clean.width, height=clean.height)


def logo_version(key: str) -> str | None:
    """The random part of the logo's key: changes with every new logo, tells nothing."""
    if not key:
        return None
    return key.rsplit("/", 1)[-1].split(".", 1)[0][:16] or None


def logo_content_get(*, version: str | None = None) -> tuple[bytes, str] | None:
    """The current logo's PNG bytes and version, or None when there is none. Reads the
    current tenant's row and its own storage prefix only; the bytes are cached per tenant and
    version (a version's bytes never change)."""
    from organizers.selectors import branding_get

    branding = branding_get()
    current = logo_version(branding.logo_key) if branding else None
    if branding is None or current is None:
        return None
    cache_key = f"branding:logo:{current}"
    content = cache.get(cache_key)
    if not isinstance(content, bytes):
        try:
            with tenant_file_open(key=branding.logo_key) as stored:
                content = stored.read()
        except NotFoundError:
            return None
        cache.set(cache_key, content, 60 * 60 * 24)
    return content, current
