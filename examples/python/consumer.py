"""Reads kafka-events' topic, checks each record against the contract (asyncapi.json), and
prints one line per event: `ok <event> <id>`, or `MISMATCH <event> <id> <where>: <why>`.

    pip install -r requirements.txt
    python consumer.py --brokers localhost:9092 --topic event_logs \\
        --contract http://localhost:8080/api/asyncapi.json

Stops after --max records, or once nothing came for --idle-seconds; exits 1 if a record did
not match.
"""

import argparse
import asyncio
import json
import sys
import urllib.request

from aiokafka import AIOKafkaConsumer
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

#: The contract's base: its schemas refer to each other as `#/components/schemas/<name>/schema`.
CONTRACT = "urn:kafka-events:asyncapi"


class RecordValidator:
    """Checks a record value against the contract's `EventRecord` schema (JSON Schema 2020-12):
    the envelope, and the message by its event name's family."""

    def __init__(self, contract: dict):
        registry = Registry().with_resource(CONTRACT, Resource(contract, DRAFT202012))
        self._validator = Draft202012Validator(
            {"$ref": f"{CONTRACT}#/components/schemas/EventRecord/schema"}, registry=registry)

    def mismatch(self, value) -> str | None:
        """Where and why the value departs from the contract; None when it conforms."""
        error = next(iter(sorted(self._validator.iter_errors(value), key=lambda e: e.path)), None)
        if error is None:
            return None
        return f"/{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"


def load_contract(location: str) -> dict:
    if location.startswith(("http://", "https://")):
        with urllib.request.urlopen(location, timeout=10) as answer:  # noqa: S310 (the operator's URL)
            return json.load(answer)
    with open(location, encoding="utf-8") as file:
        return json.load(file)


async def consume(args) -> int:
    validator = RecordValidator(load_contract(args.contract))
    consumer = AIOKafkaConsumer(args.topic, bootstrap_servers=args.brokers, group_id=args.group,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    seen = mismatched = 0
    try:
        while args.max is None or seen < args.max:
            # A fetch returns whole batches: ask for no more than --max still allows.
            batches = await consumer.getmany(timeout_ms=int(args.idle_seconds * 1000),
                                             max_records=None if args.max is None else args.max - seen)
            if not batches:
                break
            for records in batches.values():
                for record in records:
                    value = json.loads(record.value)
                    problem = validator.mismatch(value)
                    event, event_id = value.get("event"), value.get("id")
                    print(f"ok {event} {event_id}" if problem is None
                          else f"MISMATCH {event} {event_id} {problem}", flush=True)
                    seen += 1
                    mismatched += problem is not None
    finally:
        await consumer.stop()
    print(f"{seen} records, {mismatched} not matching the contract", file=sys.stderr)
    return 1 if mismatched else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", default="localhost:9092")
    parser.add_argument("--topic", default="event_logs")
    parser.add_argument("--contract", default="http://localhost:8080/api/asyncapi.json",
                        help="asyncapi.json: a file, or the service's URL")
    parser.add_argument("--group", default="kafka-events-example-python")
    parser.add_argument("--max", type=int, default=None, help="stop after this many records")
    parser.add_argument("--idle-seconds", type=float, default=10.0,
                        help="stop once nothing came for this long")
    return asyncio.run(consume(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
