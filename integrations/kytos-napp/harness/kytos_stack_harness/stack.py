"""The Kytos-ng stack that operators run, as the full-stack tests and the storm bench run it: the
NApps, their timers, the REST port they call each other on, the event recorder, and the rules the
service is given."""

import re
from pathlib import Path

#: The NApps of an operator's Kytos-ng, in the order they depend on each other.
FULL_STACK = ("of_core", "flow_manager", "topology", "of_lldp", "pathfinder", "amlight/sdntrace_cp",
              "maintenance", "mef_eline")
#: kytos-ng's tests call kytosd's REST API, and its NApps call each other, here.
KYTOS_API_PORT = 8181
#: kytos-ng's end-to-end timers (see ../shared/kytos-ng/README.md), for a run of seconds.
TIMERS = {"of_core": {"STATS_INTERVAL": "7"}, "topology": {"LINK_UP_TIMER": "1"},
          "mef_eline": {"DEPLOY_EVCS_INTERVAL": "5"}, "of_lldp": {"LIVENESS_DEAD_MULTIPLIER": "3"}}
#: A test NApp recording every event Kytos dispatches (its id and name), apart from this NApp.
RECORDER = Path(__file__).parent / "event_recorder"
#: Its REST endpoint (after /api/): every event it recorded, as `{"id", "name"}`.
RECORDER_EVENTS = "kafka_events_tests/event_recorder/v1/events"

#: The service's default rules, and maintenance's interruptions (their names have no kytos/ prefix).
RAW = (r"kytos/of_core\.v0x04\.messages\.", r"kytos/flow_manager\.messages\.out\.",
       r"kytos/of_lldp\.messages\.out\.", r"kytos/core\.openflow\.raw\.")
PRESETS = [{"pattern": "kytos[./](.*)"}, {"pattern": r"topology\.interruption\."},
           *({"pattern": pattern, "action": "deny"} for pattern in RAW)]
#: The same rules, read independently of the service: what must be in Kafka.
PERMITTED = re.compile(r"(?!" + "|".join(RAW) + r")(kytos[./]|topology\.interruption\.)")
