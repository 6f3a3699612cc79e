"""The tracker store configured in endpoints.yml keeps conversations across restarts.

SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set (postgresql://user:pass@host/db).
"""
import asyncio
import os
import uuid
from pathlib import Path

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

ROOT = Path(__file__).resolve().parent.parent


def store_from_endpoints(url: str, monkeypatch) -> TrackerStore:
    """Build the tracker store exactly as `rasa run` does from endpoints.yml."""
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    monkeypatch.setenv("ACTIONS_PORT", "5055")
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    return TrackerStore.create(config, Domain.empty())



@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_conversation_survives_a_new_store_instance(backend, tmp_path, monkeypatch):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
    elif os.environ.get("TEST_POSTGRES_URL"):
        url = os.environ["TEST_POSTGRES_URL"]
    else:
        pytest.skip("TEST_POSTGRES_URL not set")
    sender = f"test-{uuid.uuid4().hex}"
    first = store_from_endpoints(url, monkeypatch)
    assert type(first).__name__ == "SQLTrackerStore"
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("xin chào", {"name": "greet"})])
    asyncio.run(first.save(tracker))
    first.engine.dispose()

    second = store_from_endpoints(url, monkeypatch)
    restored = asyncio.run(second.retrieve(sender))
    assert restored is not None
    assert restored.latest_message.text == "xin chào"
