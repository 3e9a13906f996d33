"""The reliability command's figures (benchmarks/reliability/): what counts as lost, duplicated,
half-written and late, the answers by status, the targets a row misses, and the mail server
that counts e-vouchers. The full run is `./sentra reliability` (minutes), not part of the suite."""

from __future__ import annotations

import smtplib

from benchmarks.reliability.platform import MailSink
from benchmarks.reliability.report import (
    DELIVERY_TARGET_SECONDS,
    Booking,
    Fault,
    Row,
    scenario_row,
    status_label,
    table,
)
from benchmarks.reliability.stream import Answer

FAULT = Fault("PostgreSQL frozen", started=1000.0, ended=1020.0)


def _answer(email: str, status: int, *, phase: str = FAULT.name, code: str = "") -> Answer:
    return Answer(phase, "booking", 1001.0, 0.1, status, code=code, email=email)


def _booking(email: str, created: float = 1005.0, *, message: bool = True) -> Booking:
    return Booking(email, created, message, None, "pending after 0 attempts")


def test_each_booking_counts_once_delivered_twice_duplicated_never_lost() -> None:
    answers = [
        _answer("a@r.test", 201),
        _answer("b@r.test", 201),
        _answer("c@r.test", 201),
        _answer("d@r.test", 503, code="try_again"),  # answered try again, yet it was booked
        _answer("e@r.test", 201, phase="another scenario"),
    ]
    bookings = {e: _booking(e) for e in ("a@r.test", "b@r.test", "c@r.test", "d@r.test")}
    bookings["e@r.test"] = _booking("e@r.test")
    mail = {"a@r.test": [1030.0], "b@r.test": [1040.0, 1041.0], "d@r.test": [1050.0]}

    row = scenario_row(FAULT, answers, bookings, mail, overbooked=0, drifted=0)

    assert row.requests == 4
    assert row.slowest_answer == 0.1
    assert row.statuses == {"201": 3, "503 try_again": 1}
    assert (row.delivered, row.lost, row.duplicated) == (3, 1, 1)
    assert row.slowest == 30.0  # d: 1050 - the fault's end at 1020
    assert row.lost_detail == ["c@r.test booked at +5.0 s of the fault: pending after 0 attempts"]
    assert row.missed() == ["lost e-vouchers", "duplicated e-vouchers"]


def test_delivery_counts_from_the_booking_when_it_came_after_the_fault() -> None:
    bookings = {"a@r.test": _booking("a@r.test", created=1100.0)}
    row = scenario_row(
        FAULT, [_answer("a@r.test", 201)], bookings, {"a@r.test": [1102.5]}, overbooked=0, drifted=0
    )
    assert row.slowest == 2.5
    assert row.missed() == []


def test_half_written_rows_are_counters_off_bookings_without_message_and_201s_without_row() -> None:
    answers = [_answer("a@r.test", 201), _answer("ghost@r.test", 201)]
    bookings = {"a@r.test": _booking("a@r.test", message=False)}
    row = scenario_row(FAULT, answers, bookings, {"a@r.test": [1021.0]}, overbooked=0, drifted=2)
    assert row.half_written == 4  # 2 counters off, a booking without its message, a 201 not a row
    assert row.missed() == ["half-written rows"]


def test_every_target_a_row_can_miss() -> None:
    row = Row(
        scenario="x",
        requests=3,
        statuses={"500": 1, "hang": 1, "201": 1},
        overbooked=1,
        half_written=0,
        delivered=1,
        lost=0,
        duplicated=0,
        slowest=DELIVERY_TARGET_SECONDS + 1,
    )
    assert row.missed() == [
        "a 500",
        "a request without an answer",
        "overbooked",
        "an e-voucher later than 2 minutes",
    ]


def test_answers_are_labelled_by_what_the_client_saw() -> None:
    assert status_label(_answer("", -1)) == "hang"
    assert status_label(_answer("", 0)) == "cut"
    assert status_label(_answer("", 503, code="try_again")) == "503 try_again"
    assert status_label(_answer("", 503)) == "503"
    assert status_label(_answer("", 409, code="slot_full")) == "409"
    assert status_label(_answer("", 201)) == "201"


def test_the_table_shows_each_scenario_and_what_it_missed() -> None:
    good = Row(
        "web worker killed",
        10,
        {"201": 9, "cut": 1},
        0,
        0,
        9,
        0,
        0,
        3.25,
        note="killed",
        slowest_answer=14.96,
    )
    bad = Row("broker stopped", 5, {"500": 1}, 0, 0, 4, 1, 0, None, lost_detail=["x: pending"])
    lines = table([good, bad]).splitlines()
    assert lines[0].split() == [
        "scenario",
        "requests",
        "slowest",
        "answer",
        "answers",
        "by",
        "status",
        "overbooked",
        "half-written",
        "e-vouchers",
        "delivered",
        "lost",
        "duplicated",
        "slowest",
        "delivery",
    ]
    assert set(lines[1]) == {"-", " "}
    shown = "web worker killed 10 15.0 s 201: 9, cut: 1 0 0 9 0 0 3.2 s"
    assert lines[2].split() == shown.split()
    assert lines[3].split()[-1] == "-"
    assert lines[4:] == [
        "web worker killed: killed",
        "MISSED in broker stopped: a 500, lost e-vouchers",
        "  lost: x: pending",
    ]


def test_the_mail_server_counts_each_recipient_of_each_message() -> None:
    sink = MailSink().start()
    try:
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=5) as client:
            client.sendmail("no-reply@x.test", ["A@r.test"], "Subject: 1\r\n\r\n.\r\nbody\r\n")
            client.sendmail("no-reply@x.test", ["a@r.test", "b@r.test"], "Subject: 2\r\n\r\nx")
        seen = sink.per_address()
    finally:
        sink.stop()
    assert {address: len(times) for address, times in seen.items()} == {
        "a@r.test": 2,
        "b@r.test": 1,
    }
