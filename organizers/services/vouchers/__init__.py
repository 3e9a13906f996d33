"""The e-voucher: what a person shows at the venue. Tenant schema (reads only).

- `signed_token`: the token signed with Ed25519 that anyone with the public key checks without
  the database (`voucher_token_issue`, `voucher_token_verify`, `voucher_public_key`).
- `facts`: the voucher's facts as a person reads them, in their language and the venue's local
  time, with the short code to read out at the desk (`voucher_facts`).
- `rendering`: the QR code holding the token (PNG), the PDF voucher, and every file of a
  booking's voucher at once (`voucher_files`).
- `calendar_file`: the calendar file (.ics), also as a cancellation (`voucher_ics`).
"""
