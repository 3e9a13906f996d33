"""The booking pages' views, one module per workflow:

- home.py: the organiser's home page, step 1 of booking (choose a programme).
- schedule.py: steps 2 to 4 (the places of a programme, a venue's month calendar, a day's
  arrival times).
- person.py: steps 5 and 6 (about the person, how we reach them) and the code emailed to an
  address that only its domain admits.
- review.py: step 7 (everyone's details, the consent, the booking of the whole party) and the
  page with the voucher code(s).
- waitlist.py: the waitlist mode (a full day's waiting list: start, join, the place in the
  queue).
- waitlist_offer.py: the seat the waiting list offers, behind the link in its email.
- invites.py: invite links to a company programme.
- manage.py: managing a booking without an account (/janji/...: see, cancel, move, resend).
- wizard.py: what the steps share (the wizard's state in the session, the steps' names, the
  review page's one-time token).
- labels.py: how a slot and a venue read (the venue's own time zone, a map link).
- month_calendar.py: the month calendar (booking and moving a booking) and a day in a URL.
"""
