import asyncio
import base64
import hashlib
import hmac
import logging
import re
import time

import pytest
from bounds_report import report_bound
from hostile_server import HostileServer, huge, trickle

from webhook_forwarder.webhook_client import (
    Outcome,
    RetrySettings,
    WebhookClient,
    WebhookSettings,
    encode_event,
    sign_standard,
)

SECRET = "kytos-webhook-secret-for-tests-0123456789"
FAST = RetrySettings(initial_delay=0.01, max_delay=0.05, max_retry_after=1.0)


def deliver(settings, batches, deadline=None):
    async def scenario():
        client = WebhookClient(settings)
        try:
            return [await client.deliver(batch, deadline) for batch in batches]
        finally:
            await client.aclose()

    return asyncio.run(scenario())


def event(number):
    return encode_event(
        {"id": f"id-{number}", "name": "kytos/topology.link_up", "timestamp": None, "content": {"n": number}}
    )


def test_signs_each_batch_as_the_service_expects_over_one_kept_alive_connection(server):
    outcomes = deliver(WebhookSettings(url=server.url, secret=SECRET, retry=FAST), [[event(1)], [event(2), event(3)]])
    assert outcomes == [Outcome.DELIVERED, Outcome.DELIVERED]
    for request in server.requests:
        timestamp = request["headers"]["x-kytos-timestamp"]
        assert abs(int(timestamp) - time.time()) < 60
        expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + request["sent"], hashlib.sha256)
        assert request["headers"]["x-kytos-signature"] == "sha256=" + expected.hexdigest()
    assert [e["id"] for e in server.events()] == ["id-1", "id-2", "id-3"]
    assert len({request["port"] for request in server.requests}) == 1


def test_or_signs_in_the_standard_webhooks_scheme(server):
    settings = WebhookSettings(url=server.url, secret=SECRET, signature_scheme="standard", retry=FAST)
    deliver(settings, [[event(1)], [event(2)]])
    ids = set()
    for request in server.requests:
        headers = request["headers"]
        assert "x-kytos-signature" not in headers
        message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
        assert abs(int(timestamp) - time.time()) < 60
        expected = hmac.new(SECRET.encode(), f"{message_id}.{timestamp}.".encode() + request["sent"], hashlib.sha256)
        assert headers["webhook-signature"] == "v1," + base64.b64encode(expected.digest()).decode()
        ids.add(message_id)
    assert len(ids) == 2, "each request its own message id"


def test_standard_signatures_match_the_specification_test_vector():
    signature = sign_standard(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", b'{"test": 2432232314}'
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_or_sends_a_bearer_token(server):
    deliver(WebhookSettings(url=server.url, token="webhook-token-0123456789", retry=FAST), [[event(1)]])
    assert server.requests[0]["headers"]["authorization"] == "Bearer webhook-token-0123456789"


def test_retries_5xx_and_429_honouring_retry_after_then_delivers(server):
    server.script = [(503, {"retry-after": "1"}), (429, {}), (500, {})]
    started = time.monotonic()
    outcomes = deliver(WebhookSettings(url=server.url, secret=SECRET, retry=FAST), [[event(1)]])
    assert outcomes == [Outcome.DELIVERED]
    assert len(server.requests) == 4
    # The 503 asked for a second: the retry waited for it, not for the short backoff.
    assert time.monotonic() - started >= 1.0
    assert all(request["body"] == b"[" + event(1) + b"]" for request in server.requests)


def test_retries_a_refused_connection_until_the_deadline(server):
    url = server.url
    server.close()
    started = time.monotonic()
    outcomes = deliver(
        WebhookSettings(url=url, secret=SECRET, retry=FAST), [[event(1)]], deadline=time.monotonic() + 0.5
    )
    assert outcomes == [Outcome.GAVE_UP]
    assert 0.3 < time.monotonic() - started < 2.0


def test_a_refusal_for_good_is_not_retried_and_a_large_batch_is_split(server):
    server.script = [(400, {}), (413, {}), (413, {})]
    outcomes = deliver(
        WebhookSettings(url=server.url, secret=SECRET, retry=FAST), [[event(1)], [event(2), event(3)], [event(4)]]
    )
    assert outcomes == [Outcome.REJECTED, Outcome.SPLIT, Outcome.TOO_LARGE]
    assert len(server.requests) == 3


def test_a_large_body_is_sent_gzipped_and_signed_as_sent(server):
    flows = [{"cookie": 12284372328023095114, "match": {"in_port": n % 48, "dl_vlan": n}} for n in range(2000)]
    big = encode_event({"id": "id-big", "name": "kytos/of_core.flow_stats.received", "timestamp": None,
                        "content": {"replies_flows": flows}})
    outcomes = deliver(WebhookSettings(url=server.url, secret=SECRET, retry=FAST), [[event(1)], [big]])
    assert outcomes == [Outcome.DELIVERED, Outcome.DELIVERED]
    small, large = server.requests
    assert "content-encoding" not in small["headers"], "a small body is not worth compressing"
    assert large["headers"]["content-encoding"] == "gzip"
    assert len(large["sent"]) < len(large["body"]) / 5
    assert large["body"] == b"[" + big + b"]"
    timestamp = large["headers"]["x-kytos-timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + large["sent"], hashlib.sha256)
    assert large["headers"]["x-kytos-signature"] == "sha256=" + expected.hexdigest()


def test_the_services_own_502_is_a_refusal_but_a_proxys_502_is_retried(server):
    settings = WebhookSettings(url=server.url, secret=SECRET, retry=FAST)
    server.script = [(502, {}), (502, {}), (502, {}, "proxy"), (200, {})]
    outcomes = deliver(settings, [[event(1)], [event(2), event(3)], [event(4)]])
    assert outcomes == [Outcome.REJECTED, Outcome.SPLIT, Outcome.DELIVERED]
    assert len(server.requests) == 4


def test_a_proxys_413_splits_the_batch_too(server):
    server.script = [(413, {}, "proxy"), (413, {}, "proxy")]
    outcomes = deliver(WebhookSettings(url=server.url, secret=SECRET, retry=FAST), [[event(1), event(2)], [event(3)]])
    assert outcomes == [Outcome.SPLIT, Outcome.TOO_LARGE]


@pytest.fixture
def hostile():
    servers = []

    def start(answer):
        servers.append(HostileServer(answer))
        return servers[-1]

    yield start
    for running in servers:
        running.close()


def run_with_loop_lag(scenario):
    """Runs ``scenario`` on a fresh loop beside a ticker, and returns its result and the
    longest the loop was held between two ticks (what Kytos' loop would suffer)."""

    async def main():
        lag = 0.0

        async def tick():
            nonlocal lag
            while True:
                started = time.monotonic()
                await asyncio.sleep(0.005)
                lag = max(lag, time.monotonic() - started - 0.005)

        ticker = asyncio.create_task(tick())
        try:
            return await scenario(), lag
        finally:
            ticker.cancel()

    return asyncio.run(main())


def test_an_answer_trickling_a_byte_at_a_time_gives_up_by_the_deadline(hostile):
    # httpx's timeouts bound each read: a byte every 3 s never trips the default 10 s.
    server = hostile(trickle(3.0))
    settings = WebhookSettings(url=server.url, secret=SECRET, retry=FAST)

    async def scenario():
        client = WebhookClient(settings)
        try:
            started = time.monotonic()
            outcome = await asyncio.wait_for(client.deliver([event(1)], deadline=started + 4.0), 30)
            return outcome, time.monotonic() - started
        finally:
            await client.aclose()

    (outcome, elapsed), _ = run_with_loop_lag(scenario)
    assert outcome is Outcome.GAVE_UP
    assert elapsed < 4.0 + 2.0, elapsed
    report_bound(attack="NApp: the service answers a byte every 3 s", bound="deliver() ends by its deadline (4 s)",
                measured=f"{elapsed:.2f} s")


def test_without_a_deadline_each_attempt_ends_within_the_request_timeout(hostile):
    server = hostile(trickle(0.5))
    settings = WebhookSettings(url=server.url, secret=SECRET, retry=FAST, request_timeout=1.0)

    async def scenario():
        client = WebhookClient(settings)
        try:
            await asyncio.wait_for(client.deliver([event(1)]), 3.6)
        except TimeoutError:
            return server.connections
        finally:
            await client.aclose()

    connections, _ = run_with_loop_lag(scenario)
    # One connection per attempt: each given up after 1 s, the next on a new connection.
    assert connections >= 3, connections


def test_a_huge_answer_is_read_up_to_its_cap_logged_cut_and_never_holds_the_loop(hostile, caplog):
    server = hostile(huge(400, 100 * 1024 * 1024))
    settings = WebhookSettings(url=server.url, secret=SECRET, retry=FAST)

    async def scenario():
        client = WebhookClient(settings)
        try:
            return await asyncio.wait_for(client.deliver([event(1)]), 30)
        finally:
            await client.aclose()

    before = resident_kib()
    # Resets the process' peak resident size (VmHWM), so that the peak read after is this test's.
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")
    with caplog.at_level(logging.WARNING, logger="webhook_forwarder"):
        outcome, lag = run_with_loop_lag(scenario)
    growth_mib = (peak_resident_kib() - before) / 1024
    assert outcome is Outcome.REJECTED
    assert growth_mib < 20, growth_mib
    assert lag < 0.25, lag
    longest = max(len(record.getMessage()) for record in caplog.records)
    assert longest < 1000, longest
    report_bound(attack="NApp: the service answers a 100 MB 400", bound="64 KiB read, 300 chars logged",
                measured=f"RSS +{growth_mib:.1f} MiB, loop held {lag * 1000:.0f} ms, log line {longest} chars")


def resident_kib():
    return _status_kib("VmRSS")


def peak_resident_kib():
    return _status_kib("VmHWM")


def _status_kib(field):
    with open("/proc/self/status", encoding="ascii") as status:
        return int(re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.M).group(1))
