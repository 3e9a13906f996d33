"""The reliability command (`./sentra reliability`): the faults of issue #11 against a running
platform with bookings streaming, and what people would have seen.

It runs everything it breaks itself: a PostgreSQL cluster in a temporary folder
(benchmarks/private_postgres.py), a Redis server (the broker and the cache) when `redis-server`
is installed, and a mail server (platform.MailSink) that counts every e-voucher received per
address. The platform is started as `./sentra run` starts it (config.launcher.platform_processes
under config.supervisor.Supervisor: the web server with two workers, the Celery worker, beat,
and whatever else the platform runs), on an approved organiser with a public programme
(benchmarks/platform_data.py).

While bookings stream through the API (each with its own e-mail address, as the booking pages
send them) and a page is asked now and then, the scenarios run one after another:

- web worker killed (SIGKILL to one of config.serve's workers);
- Celery pool children killed (SIGKILL, three times);
- PostgreSQL stopped and started again;
- PostgreSQL frozen (SIGSTOP for FREEZE_SECONDS, then SIGCONT; config/request_deadline.py);
- broker stopped for BROKER_SECONDS and started again.

Then it waits for delivery to settle (at most SETTLE_SECONDS after the last fault) and checks,
from the outside: answers by status (a 500 is a failure; 503 `try_again` is the outage answer),
seats over capacity and counters unequal to their bookings (the rush oracle), a booking
answered 201 that is no row, a booking with an address but no e-voucher message (half-written),
e-vouchers received per booking (none: lost; two or more: duplicated) and the slowest delivery
counted from the end of its scenario's fault. It prints a table and exits 1 when a target is
missed.
"""
