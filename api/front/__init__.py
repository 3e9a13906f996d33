"""The rush front: the ASGI application in front of Django (config/asgi.py) that answers the two
requests opening hour is made of, with the same statements and rules as the full path
(docs/adr/0008-rush-front.md).

- application: RushFront, the ASGI application: routing, a day's slots, the answer's bytes, the
  lifespan, and the priming of an organiser's statements.
- booking: the booking it answers itself (a first dose for a public programme), its 400s and
  refusals worded as the full path words them, the e-voucher handed to Celery.
- learning: what it learns from the full path (a host's tenant, a programme's facts), one
  request learning while the others wait.
- database: FrontDatabase, its asyncio pool of PostgreSQL connections (asyncpg), the errors its
  statements fail with, Django's connection parameters as asyncpg takes them.
- requests: what it reads of a request (host, scheme, cookie, query, body) and the security
  headers of its answers, as Django reads and writes them.
"""
