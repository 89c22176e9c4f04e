import pytest
from kytos_stack_harness.service_under_test import Broker
from recording_server import RecordingServer


@pytest.fixture
def server():
    recording = RecordingServer()
    yield recording
    recording.close()


@pytest.fixture(scope="module")
def broker():
    """A real Kafka broker for one test module (end-to-end tests)."""
    kafka = Broker()
    kafka.start()
    yield kafka
    kafka.stop()
