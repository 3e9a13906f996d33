"""The pages people book on, on the organiser's host (pretix's `presale`): people without an
account (often elderly, on a phone, often helped by family) book a vaccination, join a full
day's waiting list, take a seat the waiting list offers them, and manage a booking they made.
No models: every read and write goes through organizers (selectors, services, access gateways).

- views/: one module per workflow (see views/__init__.py).
- forms.py: the forms of the booking and manage pages (accessible error summaries, the date of
  birth as three boxes).
- templates/booking_pages/: their pages; the layout (public_site/base.html), the branding
  partials, the CSS and booking.js stay in public_site.
"""
