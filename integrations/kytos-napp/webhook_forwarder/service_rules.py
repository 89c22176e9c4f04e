"""The service's preset deny rules, learned by the NApp so that events the service would deny
never leave Kytos, and cost the controller's loop a dictionary lookup instead of a serialization.

Only presets (`"mutable": false`, from the service's configuration) that deny are learned: they
cannot change while the service runs, and a deny always applies, so a decision taken here is
never stale. An operator's rules, which change at any time through the API, and a name that no
rule allows are left to the service: the event is sent. So a local decision can only spare work,
never lose an event the service would have published.

The service decides with RE2 (re2js), matching each pattern at the start of the name; so does
this, with Google's RE2 (the google-re2 binding): the same syntax and meaning, in time linear in
the name. Without google-re2 nothing is learned and every event is sent. A pattern whose meaning
rests on Unicode tables (``\\p`` classes, case folding), which the two engines may hold at
different versions, is not learned (its events are sent).
"""

from __future__ import annotations

import logging
import re
from typing import Any

try:
    import re2
except ImportError:
    re2 = None

log = logging.getLogger(__name__)

#: Syntax read through Unicode tables (``\p``/``\P`` classes, the ``i`` flag's case folding), or
#: ``\C`` that only the C++ RE2 reads: such a rule is not learned. A false alarm (an escaped
#: backslash before ``p``) only means its events are sent.
_ENGINE_DEPENDENT = re.compile(r"\\[pPC]|\(\?[^:)]*i")
#: Decisions cached for at most this many names; past it the cache starts over, so a flood of
#: new names costs bounded memory (each then decided again, in linear time).
_CACHE_LIMIT = 4096
#: Longer names are decided each time, not cached.
_CACHED_NAME_CHARS = 256
#: At most this many deny presets are learned, each at most this long, compiled together in at
#: most this much memory (RE2 stops compiling past it), so that learning costs Kytos' loop little
#: whatever the service answers. Any other is left to the service.
_LEARNED_PRESETS = 32
_LEARNED_PATTERN_CHARS = 256
_LEARNED_MEMORY = 1024 * 1024


class ServiceRules:
    def __init__(self) -> None:
        self._known = False
        #: The deny presets, as one RE2 set; None: none (or nothing learned), everything is sent.
        self._deny: Any = None
        #: The patterns ``_deny`` holds: the same presets learned again are not compiled again.
        self._patterns: list[str] = []
        self._decisions: dict[str, bool] = {}

    @property
    def can_learn(self) -> bool:
        """Whether RE2 is here to decide as the service does (google-re2 installed)."""
        return re2 is not None

    @property
    def known(self) -> bool:
        return self._known

    def permits(self, name: str) -> bool:
        """False only when a preset deny rule of the service certainly denies this name."""
        if self._deny is None:
            return True
        decision = self._decisions.get(name)
        if decision is None:
            decision = self._decide(name)
            if len(name) <= _CACHED_NAME_CHARS:
                if len(self._decisions) >= _CACHE_LIMIT:
                    self._decisions.clear()
                self._decisions[name] = decision
        return decision

    def _decide(self, name: str) -> bool:
        try:
            encoded = name.encode()
        except UnicodeEncodeError:
            # A lone surrogate: the service gets the name with U+FFFD in its place; it decides.
            return True
        # RE2's set answers no match when it runs out of memory: the event is then sent.
        return self._deny.Match(encoded) is None

    def learn(self, listed: Any) -> None:
        """Takes the service's GET /filters answer (rules keyed by id); an answer not of that shape
        makes it forget what it knew, so that everything is sent."""
        if re2 is None:
            return
        try:
            patterns = []
            for rule in listed.values():
                pattern = rule["pattern"]
                if not isinstance(pattern, str):
                    raise TypeError(f"pattern {pattern!r} is not a string")
                if rule.get("action", "allow") != "deny" or rule.get("mutable") is not False:
                    continue
                if len(patterns) < _LEARNED_PRESETS and len(pattern) <= _LEARNED_PATTERN_CHARS:
                    if not _ENGINE_DEPENDENT.search(pattern):
                        patterns.append(pattern)
        except (AttributeError, KeyError, TypeError) as error:
            self.forget(f"the service's rules cannot be read ({error})")
            return
        if self._known and patterns == self._patterns:
            return
        self._known = True
        self._deny = _compiled(patterns)
        self._patterns = patterns
        self._decisions.clear()

    def forget(self, reason: str) -> None:
        if self._known:
            log.warning("sending every event for the service to decide: %s", reason)
        self._known = False
        self._deny = None
        self._patterns = []
        self._decisions.clear()


def _compiled(patterns: list[str]) -> Any:
    """One RE2 set anchored at the start, as the service's; a pattern RE2 refuses is left out (the
    service refuses it too); None when none is left or RE2 cannot compile them together."""
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _LEARNED_MEMORY
    deny = re2.Set.MatchSet(options)
    added = 0
    for pattern in patterns:
        try:
            deny.Add(pattern)
            added += 1
        except re2.error:
            continue
    if not added:
        return None
    try:
        deny.Compile()
    except re2.error:
        log.warning("the service's %d deny presets do not compile into one RE2 set; not learned", added)
        return None
    return deny
