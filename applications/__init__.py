"""Organiser applications (public schema): what an organiser tells the platform about itself
before staff review it.

- models.py: OrganiserApplication, one per tenant, a draft saved and resumed.
- areas.py: Indonesia's provinces and regencies/cities (official codes), shipped as data.
- identifiers.py: the NPWP, NIB and phone rules, with messages that say what is wrong.
- services.py: saving the draft, submitting (the writes).
- selectors.py: the application of a tenant, what is missing, the owner's checklist (the reads).
"""
