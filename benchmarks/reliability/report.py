"""What counts as lost, duplicated, half-written and late; the answers by status; the facts read
from the database after the run; the table and the targets a row misses."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.reliability.stream import Answer

DELIVERY_TARGET_SECONDS = 120.0  # every e-voucher within two minutes of its fault's end


@dataclass
class Fault:
    name: str
    started: float = 0.0  # time.time()
    ended: float = 0.0
    note: str = ""


@dataclass
class Booking:
    """A booking as the database has it after the run."""

    email: str
    created: float  # time.time()
    has_message: bool
    sent_at: float | None  # the outbox's record of the send (time.time())
    message: str = ""  # the e-voucher message's status and attempts, as the outbox has them


@dataclass
class Row:
    scenario: str
    requests: int
    statuses: dict[str, int]
    overbooked: int
    half_written: int
    delivered: int
    lost: int
    duplicated: int
    slowest: float | None  # seconds after the fault's end (or the booking, if later)
    note: str = ""
    lost_detail: list[str] = field(default_factory=list)
    slowest_answer: float = 0.0  # seconds, of the requests answered

    def missed(self) -> list[str]:
        """The targets this row misses."""
        missed = []
        if self.statuses.get("500", 0) or self.statuses.get("page 500", 0):
            missed.append("a 500")
        if self.statuses.get("hang", 0) or self.statuses.get("page hang", 0):
            missed.append("a request without an answer")
        if self.overbooked:
            missed.append("overbooked")
        if self.half_written:
            missed.append("half-written rows")
        if self.lost:
            missed.append("lost e-vouchers")
        if self.duplicated:
            missed.append("duplicated e-vouchers")
        if self.slowest is not None and self.slowest > DELIVERY_TARGET_SECONDS:
            missed.append("an e-voucher later than 2 minutes")
        return missed


def status_label(answer: Answer) -> str:
    """What the client saw: the status (503 `try_again` apart from other 503s), "cut" for a
    connection lost without an answer, "hang" for none within CLIENT_TIMEOUT; a page's
    prefixed with "page"."""
    if answer.status == -1:
        label = "hang"
    elif answer.status == 0:
        label = "cut"
    elif answer.status == 503 and answer.code == "try_again":
        label = "503 try_again"
    else:
        label = str(answer.status)
    return f"page {label}" if answer.kind == "page" else label


def scenario_row(
    fault: Fault,
    answers: list[Answer],
    bookings: dict[str, Booking],
    mail: dict[str, list[float]],
    *,
    overbooked: int,
    drifted: int,
) -> Row:
    """One scenario's figures: its answers, and its bookings (those whose request was sent
    during it) against what the mail server received. A booking counts from the later of its
    own creation and its fault's end; `overbooked` and `drifted` (counters unequal to their
    bookings) are the database's, checked after the scenario."""
    mine = [a for a in answers if a.phase in (fault.name, f"settling after {fault.name}")]
    statuses: dict[str, int] = {}
    for answer in mine:
        label = status_label(answer)
        statuses[label] = statuses.get(label, 0) + 1
    emails = {a.email for a in mine if a.kind == "booking"}
    booked = [b for email, b in bookings.items() if email in emails]
    no_row = sum(1 for a in mine if a.status == 201 and a.email not in bookings)
    half_written = drifted + no_row + sum(1 for b in booked if not b.has_message)
    delivered = lost = duplicated = 0
    slowest: float | None = None
    row_detail: list[str] = []
    for booking in booked:
        received = mail.get(booking.email, [])
        if not received:
            lost += 1
            at = booking.created - fault.started
            outbox = booking.message or "no message"
            row_detail.append(f"{booking.email} booked at {at:+.1f} s of the fault: {outbox}")
            continue
        delivered += 1
        duplicated += len(received) > 1
        since = max(booking.created, fault.ended or booking.created)
        late = max(0.0, min(received) - since)
        slowest = late if slowest is None else max(slowest, late)
    return Row(
        scenario=fault.name,
        requests=len(mine),
        statuses=statuses,
        overbooked=overbooked,
        half_written=half_written,
        delivered=delivered,
        lost=lost,
        duplicated=duplicated,
        slowest=slowest,
        note=fault.note,
        lost_detail=row_detail,
        slowest_answer=max((a.seconds for a in mine if a.status > 0), default=0.0),
    )


def table(rows: list[Row]) -> str:
    """The printed table: one line per scenario, then the targets each missed."""
    head = (
        "scenario",
        "requests",
        "slowest answer",
        "answers by status",
        "overbooked",
        "half-written",
        "e-vouchers delivered",
        "lost",
        "duplicated",
        "slowest delivery",
    )
    lines = [head]
    for row in rows:
        statuses = ", ".join(f"{name}: {count}" for name, count in sorted(row.statuses.items()))
        lines.append(
            (
                row.scenario,
                str(row.requests),
                f"{row.slowest_answer:.1f} s",
                statuses,
                str(row.overbooked),
                str(row.half_written),
                str(row.delivered),
                str(row.lost),
                str(row.duplicated),
                "-" if row.slowest is None else f"{row.slowest:.1f} s",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in lines
    ]
    out.insert(1, "  ".join("-" * width for width in widths))
    for row in rows:
        if row.note:
            out.append(f"{row.scenario}: {row.note}")
        if missed := row.missed():
            out.append(f"MISSED in {row.scenario}: {', '.join(missed)}")
        out.extend(f"  lost: {line}" for line in row.lost_detail[:10])
    return "\n".join(out)


def database_facts(url: str, schema: str) -> tuple[int, int, dict[str, Booking], dict[str, int]]:
    """(slots over capacity, counters unequal to their active bookings, the bookings by their
    e-mail address with their e-voucher message, the outbox's messages by status), read in SQL
    as the rush oracle reads them."""
    import psycopg
    from psycopg import sql

    # Tables named with their schema: only tenants.context switches a search_path.
    slot, booking, message = (
        sql.Identifier(schema, table)
        for table in ("organizers_slot", "organizers_booking", "organizers_message")
    )
    with psycopg.connect(url, connect_timeout=10) as conn:
        counts = conn.execute(
            sql.SQL(
                """SELECT count(*) FILTER (WHERE s.booked > s.capacity),
                          count(*) FILTER (WHERE s.booked <>
                            (SELECT count(*) FROM {booking} b
                              WHERE b.slot_id = s.id AND b.status = 'active'))
                     FROM {slot} s"""
            ).format(booking=booking, slot=slot)
        ).fetchone()
        overbooked, drifted = counts or (0, 0)
        outbox: dict[str, int] = dict(
            conn.execute(
                sql.SQL("SELECT status, count(*) FROM {message} GROUP BY status").format(
                    message=message
                )
            )
        )
        rows = conn.execute(
            sql.SQL(
                """SELECT b.email, extract(epoch FROM b.created_at),
                          count(m.id) > 0, extract(epoch FROM min(m.sent_at)),
                          string_agg(m.status || ' after ' || m.attempts || ' attempts', ', ')
                     FROM {booking} b
                     LEFT JOIN {message} m ON m.booking_id = b.id
                    WHERE b.email <> ''
                    GROUP BY b.id"""
            ).format(booking=booking, message=message)
        ).fetchall()
    bookings = {
        email.lower(): Booking(
            email.lower(),
            float(created),
            bool(has),
            None if sent is None else float(sent),
            message or "",
        )
        for email, created, has, sent, message in rows
    }
    return overbooked, drifted, bookings, outbox
