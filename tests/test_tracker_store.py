"""The tracker store configured in endpoints.yml keeps conversations across restarts.

SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set (postgresql://user:pass@host/db).
"""
import asyncio
import json
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
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "test-token")
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
    assert type(first).__name__ == "RedactingSQLTrackerStore"
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("xin chào", {"name": "greet"})])
    asyncio.run(first.save(tracker))
    first.engine.dispose()

    second = store_from_endpoints(url, monkeypatch)
    restored = asyncio.run(second.retrieve(sender))
    assert restored is not None
    assert restored.latest_message.text == "xin chào"


def stored_rows(store, sender):
    from sqlalchemy import text

    with store.engine.connect() as connection:
        return [row[0] for row in connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})]


def test_verification_digits_and_phone_numbers_are_never_written(tmp_path, monkeypatch):
    from rasa.shared.core.events import ActiveLoop, SlotSet

    store = store_from_endpoints(f"sqlite:///{tmp_path / 'tracker.db'}", monkeypatch)
    code = "000.00.20.H37-251114-0123"
    events = [
        UserUttered(f"tra cứu hồ sơ {code}, sđt em 0912 345 678", {"name": "lookup_dossier"}),
        ActiveLoop("dossier_form"),
        SlotSet("dossier_code", f"tra cứu hồ sơ {code}, sđt em 0912 345 678"),
        SlotSet("dossier_code", code),
        SlotSet("requested_slot", "dossier_phone"),
    ]
    tracker = DialogueStateTracker.from_events("owner", events)
    asyncio.run(store.save(tracker))
    # Next turn: the answer to the phone question, then the slot the form extracted from it.
    tracker.update(UserUttered("số cuối là 5678", {"name": "inform"}))
    tracker.update(SlotSet("dossier_phone", "số cuối là 5678"))
    tracker.update(SlotSet("dossier_phone", None))
    tracker.update(SlotSet("requested_slot", None))
    tracker.update(UserUttered("cảm ơn, gọi lại cho mình số 0987.654.321 nhé", {"name": "thank"}))
    asyncio.run(store.save(tracker))

    rows = "\n".join(stored_rows(store, "owner"))
    for secret in ("5678", "345 678", "0912", "654.321", "0987"):
        assert secret not in rows
    assert code in rows  # the dossier code is kept: it is not personal
    restored = asyncio.run(store.retrieve("owner"))
    texts = [e.text for e in restored.events if isinstance(e, UserUttered)]
    assert texts[1] == "số cuối là ****"
    assert restored.get_slot("dossier_phone") is None
    # The events already stored are not written twice.
    assert len(stored_rows(store, "owner")) == len(tracker.events)


def test_messages_outside_the_phone_question_keep_their_digits(tmp_path, monkeypatch):
    store = store_from_endpoints(f"sqlite:///{tmp_path / 'tracker.db'}", monkeypatch)
    tracker = DialogueStateTracker.from_events("citizen", [UserUttered("lệ phí 2 tuần 100000 đồng", {"name": "ask_fee"})])
    asyncio.run(store.save(tracker))
    restored = asyncio.run(store.retrieve("citizen"))
    assert restored.latest_message.text == "lệ phí 2 tuần 100000 đồng"


@pytest.mark.parametrize("typed, kept", [
    ("gọi cho tôi số (091) 234-5678", "gọi cho tôi số"),
    ("sđt 091/234/5678 nhé", "nhé"),
    ("+84 (0) 912 345 678", ""),
    ("số của em ０９１２３４５６７８", "số của em"),
    ("0004", ""),  # digits typed after a mismatch, whatever the form asked
    ("4 số cuối là 3916", "4 số cuối là"),
    ("tra cứu 000.00.20.h37 260113 9004 số 0004", "000.00.20.h37 260113 9004"),  # the code kept as typed
])
def test_phones_and_digit_answers_are_masked_in_every_format_and_at_any_time(tmp_path, monkeypatch, typed, kept):
    from rasa.shared.core.events import SlotSet

    store = store_from_endpoints(f"sqlite:///{tmp_path / 'tracker.db'}", monkeypatch)
    events = [UserUttered(typed, {"name": "inform"}, entities=[{"entity": "x", "value": typed}]),
              SlotSet("dossier_code", typed)]
    asyncio.run(store.save(DialogueStateTracker.from_events("anyone", events)))
    rows = "\n".join(json.dumps(json.loads(row), ensure_ascii=False) for row in stored_rows(store, "anyone"))
    digits = [group for group in ("5678", "345 678", "３４５６７８", "0004", "3916") if group in typed]
    for group in digits:
        if group not in kept:
            assert group not in rows, group
    assert kept in rows
    assert "*" in rows
