"""Settings of the webhook_forwarder NApp.

Each can be set in the environment Kytos runs in (the names below, prefixed with
``KAFKA_EVENTS_``), so a deployment changes none of the NApp's files. Checked at load time by
``config.build_forwarder``: a bad value stops the NApp with a message naming it.
"""

import os

_env = os.environ.get

#: The service's webhook.
WEBHOOK_URL = _env("KAFKA_EVENTS_WEBHOOK_URL", "http://127.0.0.1:8080/api/kytos/kafka_events/v1/events")
#: HMAC-SHA256 shared secret: the service's AUTH_WEBHOOK_SECRET (or a file holding it).
WEBHOOK_SECRET = _env("KAFKA_EVENTS_WEBHOOK_SECRET")
WEBHOOK_SECRET_FILE = _env("KAFKA_EVENTS_WEBHOOK_SECRET_FILE")
#: How the secret signs: "kytos" (X-Kytos-Timestamp and X-Kytos-Signature) or "standard"
#: (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature); the service takes both.
WEBHOOK_SIGNATURE_SCHEME = _env("KAFKA_EVENTS_WEBHOOK_SIGNATURE_SCHEME", "kytos")
#: The simpler alternative: the service's AUTH_WEBHOOK_TOKEN.
WEBHOOK_TOKEN = _env("KAFKA_EVENTS_WEBHOOK_TOKEN")
#: Only events whose name matches (from the start) leave the controller. ".*": all of them.
EVENT_NAME_PATTERN = _env("KAFKA_EVENTS_NAME_PATTERN", ".*")
#: Events held while the service is away; past it, the oldest are dropped (and counted).
QUEUE_CAPACITY = _env("KAFKA_EVENTS_QUEUE_CAPACITY", "100000")
#: ... and at most this many bytes of serialized events (a few whole topologies are large).
QUEUE_MAX_BYTES = _env("KAFKA_EVENTS_QUEUE_MAX_BYTES", str(64 * 1024 * 1024))
BATCH_MAX_EVENTS = _env("KAFKA_EVENTS_BATCH_MAX_EVENTS", "100")
BATCH_LINGER_SECONDS = _env("KAFKA_EVENTS_BATCH_LINGER_SECONDS", "0.05")
#: One request's time in all, its answer included (not per read).
REQUEST_TIMEOUT_SECONDS = _env("KAFKA_EVENTS_REQUEST_TIMEOUT_SECONDS", "10")
RETRY_INITIAL_SECONDS = _env("KAFKA_EVENTS_RETRY_INITIAL_SECONDS", "0.2")
RETRY_MAX_SECONDS = _env("KAFKA_EVENTS_RETRY_MAX_SECONDS", "10")
#: How often the service's rules are learned (GET /filters), so that what it would deny never
#: leaves Kytos; 0: never (everything the name pattern lets through is sent).
RULES_REFRESH_SECONDS = _env("KAFKA_EVENTS_RULES_REFRESH_SECONDS", "30")
#: Where to learn them: the webhook's URL with /filters for /events, unless set.
RULES_URL = _env("KAFKA_EVENTS_RULES_URL")
#: At Kytos shutdown, how long to keep sending what is queued.
SHUTDOWN_FLUSH_SECONDS = _env("KAFKA_EVENTS_SHUTDOWN_FLUSH_SECONDS", "5")
#: Guards of the serializer: deeper or larger contents are cut and marked "<truncated>".
MAX_CONTENT_DEPTH = _env("KAFKA_EVENTS_MAX_CONTENT_DEPTH", "64")
MAX_CONTENT_VALUES = _env("KAFKA_EVENTS_MAX_CONTENT_VALUES", "2000000")
#: This Kytos' name in the service's metrics (their `forwarder` label): by default its host's
#: name (characters other than letters, digits, ".", "_", ":" and "-" made "-", 64 at most).
FORWARDER_ID = _env("KAFKA_EVENTS_FORWARDER_ID")
#: How often the NApp's counters are reported to the service (POST …/forwarders/{id}/report,
#: beside the webhook); the service shows a forwarder that stopped as silent. 0: never.
REPORT_INTERVAL_SECONDS = _env("KAFKA_EVENTS_REPORT_INTERVAL_SECONDS", "5")
