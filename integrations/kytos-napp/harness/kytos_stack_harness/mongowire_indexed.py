"""mongowire (../shared/kytos-ng/tools/mongowire.py) with an index's shortcut: mongomock tests
every stored document against the whole filter, and an `$in` against each of its values, so
flow_manager's queries grew with the square of the flows stored. Here a filter's top-level string
equalities and string `$in` lists are tried first, by key for an `_id` and by set lookup
otherwise; only the documents that pass them meet mongomock's own filter, so what matches is what
mongomock says. Measured with bench/storms.py on one switch, 1,000 flows a request: without it a
request timed out (pymongo's 20 s) once 7,000 flows were stored, with it once 14,000 were. Run as
mongowire is, its path first:

    python mongowire_indexed.py mongowire.py --port P --user U --password W
"""

import runpy
import sys

from mongomock.collection import Collection
from mongomock.filtering import filter_applies

_scan = Collection._iter_documents


def _string_conditions(search_filter: dict) -> dict[str, frozenset[str]]:
    """Top-level fields that a match must hold one of these strings in (or an array: left to
    mongomock, which matches arrays by element)."""
    conditions = {}
    for field, condition in search_filter.items():
        if field.startswith("$") or "." in field:
            continue
        if isinstance(condition, str):
            conditions[field] = frozenset((condition,))
        elif (isinstance(condition, dict) and list(condition) == ["$in"]
              and all(isinstance(value, str) for value in condition["$in"])):
            conditions[field] = frozenset(condition["$in"])
    return conditions


def _may_match(value, allowed: frozenset[str]) -> bool:
    # An array matches by element (mongomock decides); no other type equals a string.
    return isinstance(value, list) or (isinstance(value, str) and value in allowed)


def _iter_documents(self, search_filter):
    conditions = _string_conditions(search_filter) if isinstance(search_filter, dict) else {}
    if not conditions:
        return _scan(self, search_filter)
    ids = conditions.pop("_id", None)
    if ids is not None:
        candidates = [self._store[key] for key in ids if key in self._store]
    else:
        candidates = list(self._store.documents)
    candidates = [document for document in candidates
                  if all(_may_match(document.get(field), allowed) for field, allowed in conditions.items())]
    return (document for document in candidates if filter_applies(search_filter, document))


Collection._iter_documents = _iter_documents
runpy.run_path(sys.argv.pop(1), run_name="__main__")
