"""The waitlist: waiting for a seat on a full day, and the seats offered to those waiting.
Tenant schema.

- join: waitlist_join and waitlist_join_checked (eligibility first).
- offers: a freed seat held for the first person waiting (seat_released), accepting the offer
  (waitlist_offer_accept, waitlist_offer_accept_checked) and the beat job that passes on an
  expired one (waitlist_offers_expire).
"""
