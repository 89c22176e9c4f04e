import pytest
from recording_server import RecordingServer


@pytest.fixture
def server():
    recording = RecordingServer()
    yield recording
    recording.close()
