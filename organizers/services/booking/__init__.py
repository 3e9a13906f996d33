"""Taking and changing a seat. Tenant schema.

- request: the one validator of a booking body (booking_request_clean, BookingRequest) and of
  the query of a venue's day of slots, for the rush front and the API.
- statement: the one-statement booking without I/O: when it may be used, its attempts, what
  each attempt's result means (booking_outcome) and the booking it placed (PlacedBooking).
- refusals: how a booking is refused, one table of code -> (status, wording).
- person: the person a booking is for (Person) and their columns of a booking row.
- rows: a booking row as the full path writes it (voucher_code_new, insert_booking).
- seats: take and free a seat (the only code that changes Slot counters), the refusal
  statement, the checks of a bookable programme and slot, slot locking.
- doses: the rules of a later dose (interval, brand) and reserving the second dose.
- engine: booking_create: the one statement (booking_statement and its params) or the full
  path in one transaction.
- changes: booking_can_change, cancel and reschedule (with and without the notice to the
  person).
- place: booking_place (eligibility, then the seat), a party booking, resending the e-voucher.
"""
