"""The service's permission rules, learned by the NApp so that events the service would deny
never leave Kytos, and cost the controller's loop a dictionary lookup instead of a serialization.

The service decides with RE2, matching each pattern at the start of the name; Python's ``re``
does the same for the syntax both share. A rule set with anything outside that shared syntax, a
service that cannot be asked, or a name holding a line break (where ``$`` differs) leaves the
decision to the service: the event is sent. So a local decision can only spare work, never lose
an event the service would have published.
"""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger(__name__)

#: RE2 syntax that Python's re reads otherwise (or not at all): such a rule set is not learned.
_NOT_SHARED = re.compile(r"\\[QEpPCz]|\[\[:|\(\?[^:P<=!)]*U")
#: Past this many distinct names the cache starts over, so hostile names cannot grow memory.
_CACHE_LIMIT = 100_000


class ServiceRules:
    def __init__(self) -> None:
        self._allow: list[re.Pattern[str]] | None = None
        self._deny: list[re.Pattern[str]] = []
        self._decisions: dict[str, bool] = {}

    @property
    def known(self) -> bool:
        return self._allow is not None

    def permits(self, name: str) -> bool:
        """False only when the service would certainly deny an event of this name."""
        if self._allow is None or "\n" in name or "\r" in name:
            return True
        decision = self._decisions.get(name)
        if decision is None:
            decision = any(p.match(name) for p in self._allow) and not any(p.match(name) for p in self._deny)
            if len(self._decisions) >= _CACHE_LIMIT:
                self._decisions.clear()
            self._decisions[name] = decision
        return decision

    def learn(self, listed: Any) -> None:
        """Takes the service's GET /filters answer (rules keyed by id); anything it cannot use
        whole makes it forget what it knew, so that everything is sent."""
        try:
            allow, deny = [], []
            for rule in listed.values():
                pattern, action = rule["pattern"], rule.get("action", "allow")
                if not isinstance(pattern, str) or _NOT_SHARED.search(pattern) or action not in ("allow", "deny"):
                    raise ValueError(f"pattern {pattern!r} is not in the syntax both engines share")
                (allow if action == "allow" else deny).append(re.compile(pattern))
        except (AttributeError, KeyError, TypeError, ValueError, re.error) as error:
            self.forget(f"the service's rules cannot be used here ({error})")
            return
        self._allow, self._deny = allow, deny
        self._decisions.clear()

    def forget(self, reason: str) -> None:
        if self._allow is not None:
            log.warning("sending every event for the service to decide: %s", reason)
        self._allow, self._deny = None, []
        self._decisions.clear()
