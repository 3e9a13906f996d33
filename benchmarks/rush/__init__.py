"""The rush benchmark (`./sentra bench`): opening hour on one small machine.

It creates a fresh database, provisions organiser tenants (B6), serves the platform with the
production server (python -m config.serve: uvicorn workers, a tenant on its own subdomain
host), loads it over HTTP from a separate process (benchmarks/loadgen.py) and prints a table.
After every booking run the oracle checks in SQL that no slot holds more bookings than seats,
that every slot's counter equals its bookings, and that every 201 the client saw is a row.
Anchors from the same run make the figures comparable across machines: raw PostgreSQL
guarded-update TPS (pgbench) and a Django view that touches no database (/livez).
"""
