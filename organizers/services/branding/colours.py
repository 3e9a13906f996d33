"""The organiser's main colour and the colours derived from it. Pure: no database.

The main colour is a #rrggbb value (so nothing but a colour reaches the CSS) that white or
near-black text can be read on (WCAG 2.1 AA, 4.5:1). Links and outlined buttons sit on the
light page instead: for them a darker variant is derived (`text`) that reaches 4.5:1 against
the page, so an organiser may pick a light yellow and still get readable links.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from organizers.services.branding.errors import BrandingError

WHITE = "#ffffff"
DARK_INK = "#1b1f24"  # the site's text colour (site.css --ink)
# Light backgrounds brand-coloured text sits on: the card, the page, the "approved" badge.
LIGHT_BACKGROUNDS = ("#ffffff", "#f2f5f4", "#e3f2ef")
MIN_TEXT_CONTRAST = 4.5
DEFAULT_COLOUR = "#0b5d50"  # site.css --brand: what an organiser without branding shows

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


@dataclass(frozen=True)
class BrandColours:
    primary: str  # backgrounds: header, filled buttons
    ink: str  # text on `primary`
    text: str  # brand-coloured text, links and borders on the light page
    ink_contrast: float


def _luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb colour."""
    channels = []
    for index in (1, 3, 5):
        value = int(colour[index : index + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def colour_normalise(value: str) -> str:
    """'#ABC', 'abc' or '#AABBCC' -> '#aabbcc'; anything else is refused. Only this form ever
    reaches a style sheet."""
    match = _HEX.match((value or "").strip())
    if match is None:
        raise BrandingError(
            _("Enter a colour as # and six hexadecimal digits, e.g. #0b5394."),
            code="colour_invalid",
            field="primary_colour",
        )
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return f"#{digits}"


def _darkened(colour: str, step: int) -> str:
    factor = 1 - step / 20
    return "#" + "".join(
        f"{round(int(colour[index : index + 2], 16) * factor):02x}" for index in (1, 3, 5)
    )


def _text_variant(colour: str) -> str:
    """The colour itself when it reads on every light background, else the first darker shade
    (5 % steps towards black, same hue) that does."""
    for step in range(21):
        candidate = _darkened(colour, step)
        if all(
            contrast_ratio(candidate, background) >= MIN_TEXT_CONTRAST
            for background in LIGHT_BACKGROUNDS
        ):
            return candidate
    return "#000000"


def brand_colours(value: str) -> BrandColours:
    """The colours derived from the organiser's main colour, or BrandingError (field
    `primary_colour`, code `colour_contrast`) with the measured ratio when neither white nor
    near-black text reaches 4.5:1 on it."""
    primary = colour_normalise(value)
    on_white, on_dark = contrast_ratio(primary, WHITE), contrast_ratio(primary, DARK_INK)
    ink, ratio = (WHITE, on_white) if on_white >= on_dark else (DARK_INK, on_dark)
    if ratio < MIN_TEXT_CONTRAST:
        # Rounded down: a measured 4.47 must not read "4.5:1" next to "at least 4.5:1".
        shown = f"{math.floor(ratio * 100) / 100:.2f}"
        raise BrandingError(
            _(
                "Text on %(colour)s would be hard to read: the best contrast, with %(ink)s "
                "text, is only %(ratio)s:1 and at least 4.5:1 is needed. Choose a darker or "
                "a lighter colour."
            )
            % {
                "colour": primary,
                "ink": _("white") if ink == WHITE else _("dark"),
                "ratio": shown,
            },
            code="colour_contrast",
            field="primary_colour",
        )
    return BrandColours(primary=primary, ink=ink, text=_text_variant(primary), ink_contrast=ratio)
