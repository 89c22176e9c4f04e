"""The catalogue of Kytos-ng's events as they reach Kafka (docs/kytos-event-catalogue.json and .md):
for each event name, the NApp that emits it, its content's fields with their JSON types, and one
real example. The full-stack test builds it from the records it read; a name or a field it saw
that the committed catalogue lacks, or a field whose type changed, is drift."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE_JSON = ROOT / "docs" / "kytos-event-catalogue.json"
CATALOGUE_MD = ROOT / "docs" / "kytos-event-catalogue.md"

#: Field paths are followed this deep; `metadata` holds what operators put there, so not past it.
DEPTH = 3
OPEN_OBJECTS = {"metadata"}
#: An example longer than this is cut in the Markdown (the JSON keeps it whole).
EXAMPLE_CHARS = 1500

#: Names whose emitter their prefix does not give (the sources say who emits them).
EMITTERS = (
    (re.compile(r"topology\.interruption\."), "maintenance"),
    (re.compile(r"kytos\.flow_manager\."), "mef_eline, of_lldp, topology (requests to flow_manager)"),
    (re.compile(r"kytos/core\."), "kytos core"),
    (re.compile(r"kytos/of_core\.v0x04\."), "of_core"),
)


def emitter(name: str) -> str:
    for pattern, napp in EMITTERS:
        if pattern.match(name):
            return napp
    match = re.match(r"kytos[/.](\w+)\.", name)
    return match.group(1) if match else "unknown"


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fields(value: Any, path: str, depth: int, into: dict[str, set[str]]) -> None:
    """Each field path (`a.b`, `a[].b` for an array's items) with the types seen there."""
    into.setdefault(path, set()).add(_type(value))
    if depth == 0 or path.rsplit(".", 1)[-1] in OPEN_OBJECTS:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            # Keys that are ids (dpids, EVC ids) are data, not field names.
            field = "*" if re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2}){7}(:\d+)?|[0-9a-f]{14,64}|\d+", key) else key
            _fields(item, f"{path}.{field}" if path else field, depth - 1, into)
    elif isinstance(value, list):
        for item in value:
            _fields(item, f"{path}[]", depth - 1, into)


def build(values: list[dict[str, Any]]) -> dict[str, Any]:
    """The catalogue of the records `values` (the service's envelopes, in order), by event name."""
    events: dict[str, Any] = {}
    for value in values:
        name, message = value["event"], value["message"]
        entry = events.setdefault(name, {"emitter": emitter(name), "fields": {}})
        # The last one: a state event (topology.updated) is most complete at the end of the run.
        entry["example"] = message
        seen: dict[str, set[str]] = {}
        _fields(message, "", DEPTH, seen)
        seen.pop("", None)
        for path, types in seen.items():
            entry["fields"][path] = sorted(set(entry["fields"].get(path, [])) | types)
    return {"events": {name: events[name] for name in sorted(events)}}


def drift(committed: dict[str, Any], seen: dict[str, Any]) -> list[str]:
    """What `seen` has that `committed` does not: a name, a field, a type at a field (null aside).
    Names or fields the run did not meet are not drift: some events come only with some timings,
    and Kytos hands NApps live objects (a switch), which may have filled in by the time they are
    read."""
    problems = []
    for name, entry in seen["events"].items():
        known = committed["events"].get(name)
        if known is None:
            problems.append(f"{name}: not in the catalogue")
            continue
        for path, types in entry["fields"].items():
            known_types = known["fields"].get(path)
            if known_types is None:
                problems.append(f"{name}: field {path} not in the catalogue")
            elif set(known_types) - {"null"} and not set(types) - {"null"} <= set(known_types):
                # A field only ever seen empty (null) says nothing of its type yet.
                problems.append(f"{name}: field {path} is {types}, the catalogue says {known_types}")
    return problems


def merge(committed: dict[str, Any], seen: dict[str, Any]) -> dict[str, Any]:
    """The catalogue written back: what this run saw, and the entries it did not meet kept."""
    events = {**committed.get("events", {}), **seen["events"]}
    for name, entry in committed.get("events", {}).items():
        if name in seen["events"]:
            fields = dict(entry["fields"])
            for path, types in seen["events"][name]["fields"].items():
                fields[path] = sorted(set(fields.get(path, [])) | set(types))
            events[name] = {**seen["events"][name], "fields": dict(sorted(fields.items()))}
    return {"events": {name: events[name] for name in sorted(events)}}


def markdown(catalogue: dict[str, Any]) -> str:
    by_emitter: dict[str, list[str]] = {}
    for name, entry in catalogue["events"].items():
        by_emitter.setdefault(entry["emitter"], []).append(name)
    lines = [
        "# Kytos-ng's events in Kafka",
        "",
        "Written by the full-stack test (`integrations/kytos-napp/tests/test_kytos_families.py`) from the",
        "records it read back from Kafka, with kytosd running of_core, flow_manager, topology, of_lldp,",
        "pathfinder, sdntrace_cp, maintenance and mef_eline; do not edit. The test fails when an event",
        "name, a field or a field's type it sees is not here; `KAFKA_EVENTS_WRITE_CATALOGUE=1` writes it",
        "again. Events that only some timings bring are kept from earlier runs.",
        "",
        "Each record's value is `{\"event\": name, \"message\": content, \"id\", \"timestamp\"}`; the fields",
        "below are the content's (`a[]` is an array's items, `*` a key that is an id, `metadata` is",
        f"what operators put there). The machine-readable form is [{CATALOGUE_JSON.name}]({CATALOGUE_JSON.name}).",
        "",
        "The service's default rules do not let `topology.interruption.*` (maintenance) out: add a rule",
        "for it (`POST /filters` with the pattern `topology\\.interruption\\.`).",
        "",
    ]
    for napp in sorted(by_emitter):
        lines += [f"## {napp}", ""]
        for name in by_emitter[napp]:
            entry = catalogue["events"][name]
            lines += [f"### `{name}`", ""]
            lines += [f"- `{path}`: {' or '.join(types)}" for path, types in sorted(entry["fields"].items())]
            example = json.dumps(entry["example"], indent=1, sort_keys=True)
            if len(example) > EXAMPLE_CHARS:
                example = example[:EXAMPLE_CHARS] + "\n... (cut; whole in the JSON)"
            lines += ["", "```json", example, "```", ""]
    return "\n".join(lines)


def load() -> dict[str, Any]:
    return json.loads(CATALOGUE_JSON.read_text()) if CATALOGUE_JSON.exists() else {"events": {}}


def write(catalogue: dict[str, Any]) -> None:
    CATALOGUE_JSON.write_text(json.dumps(catalogue, indent=1, sort_keys=True) + "\n")
    CATALOGUE_MD.write_text(markdown(catalogue))
