"""The e-voucher's files: the **QR code** (PNG) holding the signed token and the **PDF
voucher**, and `voucher_files`, everything of a booking's voucher at once (with the calendar
file). Tenant schema (reads only).

Rendering is in-process and fast (see `manage.py bench_voucher`): the QR code is made once with
a fixed mask, its PNG serves the email and the PDF, and the PDF uses a core font (no font
embedding).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import segno
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from PIL import Image

from organizers.models import Booking
from organizers.services.vouchers.calendar_file import voucher_ics
from organizers.services.vouchers.facts import VoucherFacts, voucher_facts
from organizers.services.vouchers.signed_token import voucher_token_issue

DEFAULT_COLOUR = "#0b5d50"  # Sentra's (site.css --brand); the organiser's when it chose one


@dataclass(frozen=True)
class VoucherFiles:
    token: str
    qr_png: bytes
    pdf: bytes
    ics: str


# A fixed mask pattern: choosing the "best" of the eight costs about 6 ms in pure Python for a
# version 8 code, and scanners read any mask (the choice only avoids rare ambiguous patterns).
QR_MASK = 2


def voucher_qr(token: str) -> segno.QRCode:
    return segno.make(token, error="m", micro=False, mask=QR_MASK, boost_error=False)


_DARK_TO_BLACK = bytes([255, 0]) + bytes(254)  # module value 1 (dark) -> 0 (black)


def voucher_qr_png(token: str | segno.QRCode, *, scale: int = 5, border: int = 4) -> bytes:
    """The QR code holding the token, as a black-and-white PNG (the email's inline image and
    the PDF's). Pillow writes it in C: about 0.2 ms, against 1.5 ms for segno's own writer."""
    code = voucher_qr(token) if isinstance(token, str) else token
    size = len(code.matrix) + 2 * border
    quiet = b"\xff" * border
    rows = [b"\xff" * size] * border
    rows += [quiet + bytes(row).translate(_DARK_TO_BLACK) + quiet for row in code.matrix]
    rows += [b"\xff" * size] * border
    image = Image.frombytes("L", (size, size), b"".join(rows)).convert("1")
    buffer = io.BytesIO()
    image.resize((size * scale, size * scale), Image.Resampling.NEAREST).save(buffer, "PNG")
    return buffer.getvalue()


def _latin1(text: str) -> str:
    """The PDF's core font covers Latin-1 (all of Indonesian); anything else is replaced."""
    text = text.replace("\u2022", "*").replace("\u2013", "-").replace("\u2014", "-")
    return text.encode("latin-1", "replace").decode("latin-1")


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def voucher_pdf(
    facts: VoucherFacts, *, qr_png: bytes, colour: str = DEFAULT_COLOUR, ink: str = "#ffffff"
) -> bytes:
    """An A5 voucher: who, where, when, what to bring, the QR code and the code. Call inside
    translation.override(<the person's language>)."""
    pdf = FPDF(format=(148, 210), unit="mm")  # A5
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(_latin1(f"E-voucher {facts.code}"))
    pdf.set_author(_latin1(facts.organizer_name))
    pdf.set_creator("Sentra")
    pdf.add_page()
    width = pdf.w - 2 * pdf.l_margin
    pdf.set_fill_color(*_rgb(colour))
    pdf.rect(0, 0, pdf.w, 24, style="F")
    pdf.set_text_color(*_rgb(ink))
    pdf.set_font("helvetica", "B", 15)
    pdf.set_xy(pdf.l_margin, 6)
    pdf.cell(width, 7, _latin1(facts.organizer_name))
    pdf.set_font("helvetica", "", 10)
    pdf.set_xy(pdf.l_margin, 14)
    pdf.cell(width, 5, _latin1(_("Vaccination e-voucher")))
    pdf.set_text_color(0, 0, 0)
    rows = (
        (_("Name"), facts.full_name),
        (_("NIK"), facts.nik_masked),
        (_("Date"), facts.date),
        (_("Time"), facts.time),
        (_("Venue"), facts.venue_name),
        (_("Address"), facts.venue_address),
        (_("Dose"), facts.dose),
        (_("Vaccine"), facts.brand),
    )
    pdf.set_xy(pdf.l_margin, 30)
    for label, value in rows:
        pdf.set_font("helvetica", "", 8)
        pdf.set_x(pdf.l_margin)
        pdf.cell(width, 4, _latin1(label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "B", 11)
        text = _latin1(value)
        if pdf.get_string_width(text) < width:  # one line: cell() is much cheaper
            pdf.cell(width, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    qr_size = 50.0
    qr_top = pdf.get_y() + 2
    qr_left = (pdf.w - qr_size) / 2
    # The PNG made for the email (5 px per module, no smoothing needed): embedding it costs
    # about 1 ms, drawing the modules as rectangles about 3 ms.
    pdf.image(io.BytesIO(qr_png), x=qr_left, y=qr_top, w=qr_size, h=qr_size)
    pdf.set_xy(pdf.l_margin, qr_top + qr_size + 2)
    pdf.set_font("courier", "B", 18)
    pdf.cell(width, 9, facts.code, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)
    closing = _latin1(
        _(
            "Bring your KTP (identity card) and show this QR code or read out the code "
            "at the venue. Please arrive on time."
        )
    )
    for line in _closing_lines(closing, width):
        pdf.cell(width, 4.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@functools.lru_cache(maxsize=8)
def _closing_lines(text: str, width: float) -> tuple[str, ...]:
    """The voucher's closing words broken into centred lines, once per language: breaking
    them took a third of the PDF's time (fpdf2's line breaking is pure Python), and they are
    the same on every voucher."""
    pdf = FPDF(format=(148, 210), unit="mm")
    pdf.add_page()
    pdf.set_font("helvetica", "", 9)
    lines = pdf.multi_cell(width, 4.5, text, align="C", dry_run=True, output="LINES")
    return tuple(lines) if isinstance(lines, list) else (text,)  # LINES gives a list


def voucher_files(
    booking: Booking,
    *,
    brand_names: dict[str, str] | None = None,
    colour: str = DEFAULT_COLOUR,
    ink: str = "#ffffff",
) -> tuple[VoucherFacts, VoucherFiles]:
    """Everything of a booking's voucher, in the booking's language. Tenant schema."""
    with translation.override(booking.language or "id"):
        facts = voucher_facts(booking, brand_names=brand_names)
        token = voucher_token_issue(booking)
        qr_png = voucher_qr_png(token)
        files = VoucherFiles(
            token=token,
            qr_png=qr_png,
            pdf=voucher_pdf(facts, qr_png=qr_png, colour=colour, ink=ink),
            ics=voucher_ics(booking, facts),
        )
    return facts, files
