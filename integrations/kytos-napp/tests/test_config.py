from types import SimpleNamespace

import pytest

from webhook_forwarder import settings
from webhook_forwarder.config import SettingsError, build_forwarder, forwarder_id


def settings_with(**overrides):
    values = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    values.update(overrides)
    return SimpleNamespace(**values)


def test_the_defaults_build_a_forwarder_for_every_event():
    forwarder = build_forwarder(settings_with())
    assert forwarder.settings.name_pattern == ".*"
    assert forwarder.settings.queue_capacity == 100_000
    assert forwarder.settings.queue_max_bytes == 64 * 1024 * 1024
    assert forwarder.client.settings.url.endswith("/api/kytos/kafka_events/v1/events")


def test_reads_the_secret_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-kubernetes-secret-0123456789\n")
    forwarder = build_forwarder(settings_with(WEBHOOK_SECRET=None, WEBHOOK_SECRET_FILE=str(secret_file)))
    assert forwarder.client.settings.secret == "from-a-kubernetes-secret-0123456789"


def test_names_every_bad_setting_at_once():
    with pytest.raises(SettingsError) as refused:
        build_forwarder(settings_with(
            WEBHOOK_URL="ftp://nowhere",
            EVENT_NAME_PATTERN="kytos/(",
            QUEUE_CAPACITY="lots",
            BATCH_MAX_EVENTS="0",
            WEBHOOK_SECRET="a",
            WEBHOOK_SECRET_FILE="/no/such/file",
        ))
    message = str(refused.value)
    for expected in ("WEBHOOK_URL='ftp://nowhere'", "EVENT_NAME_PATTERN='kytos/('", "QUEUE_CAPACITY='lots'",
                     "BATCH_MAX_EVENTS='0'", "not both"):
        assert expected in message


def test_reports_beside_the_webhook_as_the_host_by_default(monkeypatch):
    monkeypatch.setattr("socket.gethostname", lambda: "ctl 1.example.org")
    forwarder = build_forwarder(settings_with(FORWARDER_ID=None))
    assert forwarder.settings.report_url == (
        "http://127.0.0.1:8080/api/kytos/kafka_events/v1/forwarders/ctl-1.example.org/report"
    )
    assert forwarder.settings.report_interval == 5.0
    named = build_forwarder(settings_with(FORWARDER_ID="kytos-a", REPORT_INTERVAL_SECONDS="2"))
    assert named.settings.report_url.endswith("/v1/forwarders/kytos-a/report")
    assert named.run != forwarder.run, "each start is a run of its own"


def test_a_host_name_becomes_an_id_the_service_takes():
    assert forwarder_id("kytos-1.example.org") == "kytos-1.example.org"
    assert forwarder_id("-odd host/name") == "odd-host-name"
    assert forwarder_id("x" * 100) == "x" * 64
    assert forwarder_id("___") == "kytos"


def test_refuses_an_id_or_interval_the_service_would_not_take():
    for ident in ("a b", "-lead", "x" * 65, "kytos/1"):
        with pytest.raises(SettingsError, match="FORWARDER_ID="):
            build_forwarder(settings_with(FORWARDER_ID=ident))
    for interval in ("0.5", "-1", "3601", "often"):
        with pytest.raises(SettingsError, match="REPORT_INTERVAL_SECONDS="):
            build_forwarder(settings_with(REPORT_INTERVAL_SECONDS=interval))
    with pytest.raises(SettingsError, match="must end in /events"):
        build_forwarder(settings_with(WEBHOOK_URL="http://kafka-events:8080/hook"))
    quiet = build_forwarder(settings_with(WEBHOOK_URL="http://kafka-events:8080/hook", REPORT_INTERVAL_SECONDS="0"))
    assert quiet.settings.report_url is None and quiet.reporter is None
