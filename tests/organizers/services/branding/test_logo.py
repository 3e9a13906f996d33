"""A logo is judged by its content and re-encoded: any real raster image becomes a PNG without
metadata, at most 512 px; anything else is refused with its reason."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from organizers.services.branding.errors import BrandingError
from organizers.services.branding.logo import logo_prepare
from tests.organizers.services.branding.logo_files import REFUSED_FILES, an_image

ORIENTATION = 0x0112


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP", "GIF"])
def test_a_real_image_is_re_encoded_as_a_png_without_metadata_and_at_most_512_px(
    image_format: str,
) -> None:
    original = an_image(image_format, exif=image_format != "GIF")

    logo = logo_prepare(content=original)

    assert logo.content != original
    stored = Image.open(io.BytesIO(logo.content))
    assert stored.format == "PNG"
    assert (stored.width, stored.height) == (logo.width, logo.height) == (512, 256)
    assert dict(stored.getexif()) == {}
    assert b"SecretCam" not in logo.content
    assert stored.convert("RGB").getpixel((10, 10)) == pytest.approx((123, 31, 162), abs=3)


def test_a_phone_photo_is_turned_upright_from_its_exif_orientation() -> None:
    output = io.BytesIO()
    tags = Image.Exif()
    tags[ORIENTATION] = 6  # "rotate 90° clockwise to display"
    Image.new("RGB", (800, 400), (10, 10, 10)).save(output, format="JPEG", exif=tags)

    logo = logo_prepare(content=output.getvalue())

    assert (logo.width, logo.height) == (256, 512)


def test_transparency_is_kept_and_a_small_logo_is_not_enlarged() -> None:
    logo = logo_prepare(content=an_image("PNG", size=(200, 80), mode="RGBA", colour=(0, 0, 0, 0)))

    stored = Image.open(io.BytesIO(logo.content))
    assert (stored.mode, stored.size) == ("RGBA", (200, 80))
    assert stored.getpixel((5, 5))[3] == 0


def test_trailing_data_after_the_image_is_not_stored() -> None:
    smuggled = an_image("PNG") + b"<script>alert(1)</script>"

    logo = logo_prepare(content=smuggled)

    assert b"<script>" not in logo.content


@pytest.mark.parametrize("name", sorted(REFUSED_FILES))
def test_a_file_that_is_not_a_sound_small_raster_image_is_refused_in_indonesian(
    name: str,
) -> None:
    make, code, words = REFUSED_FILES[name]

    with pytest.raises(BrandingError) as refused:
        logo_prepare(content=make())

    assert refused.value.code == code
    assert words in str(refused.value.extra["logo"][0])
