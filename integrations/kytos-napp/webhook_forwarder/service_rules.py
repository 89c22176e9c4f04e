"""The service's preset deny rules, learned by the NApp so that events the service would deny
never leave Kytos, and cost the controller's loop a dictionary lookup instead of a serialization.

Only presets (`"mutable": false`, from the service's configuration) that deny are learned: they
cannot change while the service runs, and a deny always applies, so a decision taken here is
never stale. An operator's rules, which change at any time through the API, and a name that no
rule allows are left to the service: the event is sent. So a local decision can only spare work,
never lose an event the service would have published.

The service decides with RE2, matching each pattern at the start of the name; Python's ``re``
does the same for the syntax both share. A pattern outside that shared syntax is not learned (its
events are sent), and a name holding a line break (where ``$`` differs) is always sent.
"""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger(__name__)

#: RE2 syntax that Python's re reads otherwise (or not at all): such a rule is not learned.
_NOT_SHARED = re.compile(r"\\[QEpPCz]|\[\[:|\(\?[^:P<=!)]*U")
#: Past this many distinct names the cache starts over, so hostile names cannot grow memory.
_CACHE_LIMIT = 100_000


class ServiceRules:
    def __init__(self) -> None:
        self._deny: list[re.Pattern[str]] | None = None
        self._decisions: dict[str, bool] = {}

    @property
    def known(self) -> bool:
        return self._deny is not None

    def permits(self, name: str) -> bool:
        """False only when a preset deny rule of the service certainly denies this name."""
        if self._deny is None or "\n" in name or "\r" in name:
            return True
        decision = self._decisions.get(name)
        if decision is None:
            decision = not any(pattern.match(name) for pattern in self._deny)
            if len(self._decisions) >= _CACHE_LIMIT:
                self._decisions.clear()
            self._decisions[name] = decision
        return decision

    def learn(self, listed: Any) -> None:
        """Takes the service's GET /filters answer (rules keyed by id); an answer not of that shape
        makes it forget what it knew, so that everything is sent."""
        try:
            deny = []
            for rule in listed.values():
                pattern = rule["pattern"]
                if not isinstance(pattern, str):
                    raise TypeError(f"pattern {pattern!r} is not a string")
                if rule.get("action", "allow") != "deny" or rule.get("mutable") is not False:
                    continue
                if _NOT_SHARED.search(pattern):
                    continue
                try:
                    deny.append(re.compile(pattern))
                except re.error:
                    continue
        except (AttributeError, KeyError, TypeError) as error:
            self.forget(f"the service's rules cannot be read ({error})")
            return
        self._deny = deny
        self._decisions.clear()

    def forget(self, reason: str) -> None:
        if self._deny is not None:
            log.warning("sending every event for the service to decide: %s", reason)
        self._deny = None
        self._decisions.clear()
