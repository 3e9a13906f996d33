"""The organiser's pages, one module per workflow.

- access.py: organizer_admin_page, the gate of every page but the dashboard (owners and
  administrators; others signed in get 404, the anonymous are sent to sign in).
- dashboard.py: /kelola/, for every member of the organiser (check-in staff too), with the
  checklist of what is left before going live (owners and administrators).
- application.py: /kelola/pengajuan/, the organiser's application (draft, then submitted).
- venues.py: the venue list, adding and editing a venue.
- slots.py: schedules (slot templates) and the slots they make, the week calendar, one slot.
- blackout_days.py: days off.
- programmes.py: the programme list, adding and editing a programme.
- vaccine_choices.py: the vaccine choices of the venue and programme forms.
- eligibility.py: who may book a programme (rules, the roster, invites).
- messages.py: the outbox page and "send again".
- branding.py: the booking page's look, its preview, and the logo URL.
"""
