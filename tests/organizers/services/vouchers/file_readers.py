"""Reading a voucher's files back in tests: the text drawn in the PDF, the calendar file's
content lines (checked against RFC 5545 on the way)."""

from __future__ import annotations

import re
import zlib


def pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF: its content streams, inflated. Each stream is read by its
    /Length (binary data may itself end in a line break, which a delimiter search would cut)."""
    chunks = []
    for match in re.finditer(rb"/Length (\d+)\b[^>]*>>\s*stream\r?\n", pdf):
        stream = pdf[match.end() : match.end() + int(match.group(1))]
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "\n".join(chunks)


def ics_lines(text: str) -> list[str]:
    """RFC 5545 content lines: every line ends in CRLF, none longer than 75 octets; folded
    lines are joined again."""
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical)
    assert "\n" not in text.replace("\r\n", "")
    unfolded: list[str] = []
    for line in physical:
        if line.startswith(" "):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    return unfolded
