from types import SimpleNamespace

import pytest

from webhook_forwarder import settings
from webhook_forwarder.config import SettingsError, build_forwarder


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
