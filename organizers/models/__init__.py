"""What an organiser runs inside its own schema. Seat counters are changed only by
organizers.services.booking (seats.take_seat and free_seat, and the one statement of engine).
One module per workflow: programmes (and their age rules), venues (days off, slot templates,
slots), bookings (the waitlist, Idempotency-Key records, manage links), eligibility (roster and
its imports, invites), messages (the outbox, and the branding they carry)."""

from organizers.models.bookings import Booking, IdempotencyRecord, ManageLink, WaitlistEntry
from organizers.models.eligibility import Invite, RosterEntry, RosterImport
from organizers.models.messages import Branding, Message
from organizers.models.programmes import AgeRule, Dose, Programme, Sex
from organizers.models.venues import BlackoutDay, Slot, SlotTemplate, Venue

__all__ = [
    "AgeRule",
    "BlackoutDay",
    "Booking",
    "Branding",
    "Dose",
    "IdempotencyRecord",
    "Invite",
    "ManageLink",
    "Message",
    "Programme",
    "RosterEntry",
    "RosterImport",
    "Sex",
    "Slot",
    "SlotTemplate",
    "Venue",
    "WaitlistEntry",
]
