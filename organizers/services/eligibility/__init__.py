"""Who may book a programme: the eligibility rules and what the organiser sets up for them.

- rules.py: the checks a booking runs (eligibility_claim, eligibility_check, eligibility_booked):
  roster, invites, email domains and quota of a company programme, age rules of a public one;
  EligibilityRefusedError (409) says why and what to do.
- facts.py: what the rush path keeps per process of a programme (its kind and age bands,
  public_age_bands), and the forgetting after a change commits.
- attempts.py: refused checks counted per client address (EligibilityAttemptsError, 429).
- programme_rules.py: the organiser's settings (programme_eligibility_update, email domains,
  age_rule_create, age_rule_delete).
- roster_file.py: reading a roster file (CSV or XLSX) into rows, or refusing it as a whole.
- roster.py: importing those rows into a company programme's roster, row by row, written in
  one transaction.
- roster_imports.py: an upload as a background job (RosterImport: queued, running, done or
  failed), its progress, one at a time per programme, a dead job noticed.
- roster_problems.py: what a refused file or row says, by code (the import keeps codes and row
  numbers, never a value from the file).
- invites.py: invite links (created, sent, revoked, found by token).
- email_codes.py: the code that proves someone owns the email address a domain admits.
- proof_limits.py: limits on wrong tries at proving a booking is yours (voucher code + date of
  birth), per voucher and per address, and the failure counter attempts.py shares.
"""
