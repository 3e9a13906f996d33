"""A colour must keep text readable: the ink with the better contrast, a darker variant for
links on the light page, and a refusal with the measured ratio when neither reaches 4.5:1."""

from __future__ import annotations

import pytest

from organizers.services.branding.colours import brand_colours, contrast_ratio
from organizers.services.branding.errors import BrandingError


@pytest.mark.parametrize(
    ("colour", "ink"),
    [("#0b5394", "#ffffff"), ("#FFEB3B", "#1b1f24"), ("#000", "#ffffff"), ("#ffffff", "#1b1f24")],
)
def test_the_text_colour_is_the_one_with_the_better_contrast(colour: str, ink: str) -> None:
    colours = brand_colours(colour)

    assert colours.primary == colour.lower() if len(colour) == 7 else "#000000"
    assert colours.ink == ink
    assert contrast_ratio(colours.primary, colours.ink) >= 4.5


@pytest.mark.parametrize("colour", ["#ffeb3b", "#ff9800", "#ffffff", "#0b5394"])
def test_links_get_a_variant_that_reads_on_the_light_page(colour: str) -> None:
    colours = brand_colours(colour)

    for background in ("#ffffff", "#f2f5f4", "#e3f2ef"):
        assert contrast_ratio(colours.text, background) >= 4.5
    if contrast_ratio(colour, "#ffffff") >= 4.6:
        assert colours.text == colour  # already dark enough: unchanged


@pytest.mark.parametrize(
    ("colour", "measured", "ink"),
    [("#777777", "4.47", "putih"), ("#e53935", "4.22", "putih"), ("#808080", "4.19", "gelap")],
)
def test_a_colour_that_text_cannot_be_read_on_is_refused_with_the_measured_ratio(
    colour: str, measured: str, ink: str
) -> None:
    with pytest.raises(BrandingError) as refused:
        brand_colours(colour)

    assert refused.value.code == "colour_contrast"
    message = str(refused.value.extra["primary_colour"][0])
    assert f"{measured}:1" in message
    assert "4.5:1" in message
    assert f"teks {ink}" in message


@pytest.mark.parametrize(
    "value",
    ["red", "#12345", "#1234567", "#0b5394;}body{display:none", "</style><script>", "", "#ggg"],
)
def test_anything_but_a_hex_colour_is_refused(value: str) -> None:
    with pytest.raises(BrandingError) as refused:
        brand_colours(value)

    assert refused.value.code == "colour_invalid"
