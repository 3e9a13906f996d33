"""Every message a person or organiser staff receives. Tenant schema.

- outbox: record a message with the event that causes it, deliver it after the commit (retries
  with backoff), sweep up lost ones, the organiser's list and "send again".
- content: what each kind of message to a person says (e-voucher, new time, reminder,
  cancellation, dose 2, waitlist offer, invitation, manage link).
- mime: the email a message becomes (text and HTML, inline QR code and logo, attachments,
  the sender).
- reminders: what beat records: the reminder the day before, the dose-2 window opening.
- event_keys: the outbox's event keys, alike in Python, SQL and the ORM.
- staff: messages to the organiser's staff (the owner's welcome).
"""
