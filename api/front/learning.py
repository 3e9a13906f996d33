"""What the rush front learns from the full path, so that it never decides what the full path
would not: a host's tenant (through one request on the full path) and a public programme's facts
(with the full path's own statement), each learnt by one request while the others wait for it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from api.front.database import FrontDatabase
from api.front.requests import ASGIApp, FrontRequest, Receive, Scope, Send
from common.process_cache import ProcessCache
from organizers.services.eligibility import facts as eligibility_facts

log = logging.getLogger(__name__)

LEARN_SECONDS = 5.0


class FrontLearning:
    """The learning part of RushFront (api.front.application), which sets these attributes."""

    fallback: ASGIApp
    database: FrontDatabase
    # What is being learnt (a host's tenant through one request on the full path, a
    # programme's age rules with one query), and the futures the others wait on meanwhile;
    # what could not be learnt lately (for LEARN_SECONDS).
    learning: dict[tuple, asyncio.Future]
    unlearnable: ProcessCache[bool]

    async def _programme_learnt(
        self, tenant: Any, programme_id: int
    ) -> tuple[float, tuple[eligibility_facts.AgeBand, ...] | None] | None:
        """At a drop, a programme's facts (public or not, its age rules) are not known in this
        process: they are kept ELIGIBILITY_FACTS_SECONDS and nobody booked before the drop. The
        first request runs the full path's own statement for them
        (eligibility_facts.PROGRAMME_FACTS_SQL, kept by eligibility_facts.programme_facts_learnt) on
        the front's connections, and it and the others wait for that one query (at most
        LEARN_SECONDS). Through a whole Django request instead, the first wave of a drop waited
        about 20 ms longer. The facts as eligibility_facts.programme_facts_kept gives them; None
        when they are not known after it: the full path answers (and a programme that cannot be
        learnt is not asked again for LEARN_SECONDS)."""
        learning = self._programme_learning(tenant, programme_id)
        if learning is None:
            return None
        try:
            await asyncio.wait_for(asyncio.shield(learning), LEARN_SECONDS)
        except Exception:  # the query failed or took too long (logged once, when it ends)
            return None
        return eligibility_facts.programme_facts_kept(
            tenant_uid=tenant.uid, programme_id=programme_id
        )

    def _programme_learning(self, tenant: Any, programme_id: int) -> asyncio.Future | None:
        """The query learning a programme's facts: the one under way, or a new one; None when
        the cache is off or the programme could not be learnt lately."""
        key = ("programme", tenant.uid, programme_id)
        if eligibility_facts.facts_seconds() <= 0 or self.unlearnable.get(key):
            return None
        learning = self.learning.get(key)
        if learning is None:
            learning = asyncio.ensure_future(self._programme_learn(tenant, programme_id))
            self.learning[key] = learning
            learning.add_done_callback(lambda done: self._programme_done(key, done))
        return learning

    async def _programme_learn(self, tenant: Any, programme_id: int) -> None:
        row = await self.database.fetch_one(
            tenant.schema_name,
            eligibility_facts.PROGRAMME_FACTS_SQL,
            {"programme_id": programme_id},
        )
        eligibility_facts.programme_facts_learnt(
            tenant_uid=tenant.uid, programme_id=programme_id, row=row
        )

    def _programme_done(self, key: tuple, learning: asyncio.Future) -> None:
        if self.learning.get(key) is learning:
            del self.learning[key]
        if learning.cancelled() or learning.exception() is not None:
            if not learning.cancelled():
                log.warning("rush front: a programme not learnt: %r", learning.exception())
            self._unlearnable(key)
        elif not eligibility_facts.programme_facts_known(tenant_uid=key[1], programme_id=key[2]):
            self._unlearnable(key)  # no such programme

    def _unlearnable(self, key: tuple) -> None:
        self.unlearnable.put(key, True, seconds=LEARN_SECONDS)

    async def _learn_or_wait(self, key: tuple, request: FrontRequest, remembered: float) -> bool:
        """At a drop, the first requests of a process may find the host unknown: one of them
        (the learner, whose body is already read) takes the full path, which learns it; the
        others wait for it (at most LEARN_SECONDS) instead of all taking the full path at once.
        True when this request waited (look again), False when it goes to the full path. A
        host the full path does not learn (no organiser's) is not waited for again for
        LEARN_SECONDS; nor anything when the cache is off (`remembered` seconds <= 0)."""
        if remembered <= 0 or self.unlearnable.get(key):
            return False
        learning = self.learning.get(key)
        if learning is None:
            self.learning[key] = asyncio.get_running_loop().create_future()
            request.teaches = key
            return False
        try:
            await asyncio.wait_for(asyncio.shield(learning), LEARN_SECONDS)
        except TimeoutError:
            # A learner that never finishes (a client that stalls) must not hold the others.
            if self.learning.get(key) is learning:
                del self.learning[key]
            return False
        return True

    async def _full_path(
        self, request: FrontRequest, scope: Scope, receive: Receive, send: Send
    ) -> None:
        try:
            await self.fallback(scope, receive, send)
        finally:
            if request.teaches is not None:
                self._learnt(request)

    def _learnt(self, request: FrontRequest) -> None:
        key = request.teaches
        learning = self.learning.pop(key, None)  # type: ignore[arg-type]
        if learning is not None and not learning.done():
            learning.set_result(None)
        if request.find_tenant() is None:
            self._unlearnable(key)  # type: ignore[arg-type]
