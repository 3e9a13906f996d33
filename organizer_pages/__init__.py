"""The organiser's own pages under /kelola/ on the organiser's host (pretix's `control`): owners,
administrators and check-in staff sign in here. No models: every read and write goes through
organizers (selectors, services, access gateways).

- views/: one module per workflow (see views/__init__.py).
- forms.py: the forms of venues, programmes, schedules, one slot and days off, and
  add_service_errors (a service's refusal next to the fields it names).
- branding_forms.py: the branding page's form.
- templates/organizer_pages/: their pages; the layout (public_site/base.html) stays in
  public_site.
"""
