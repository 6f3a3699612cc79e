"""The lookup form's validation and answer with real rasa_sdk trackers, a real SQLite dossier
store and failed-try counter, and a real misbehaving HTTP server on 127.0.0.1."""
import asyncio
import os
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.dossier_actions as dossier_actions
from actions.dossier_actions import ActionLookupDossier, ActionStopDossierLookup, ValidateDossierForm
from actions.onestop.guard import AttemptGuard
from actions.onestop.model import Dossier
from actions.onestop.sources import DatabaseSource, HttpSource
from actions.onestop.store import DossierStore
from tests.onestop.conftest import dossier
from tests.onestop.test_sources import fake_system, free_port

ROOT = Path(__file__).resolve().parents[2]
CODE = "000.00.20.H37-251114-0123"  # Nguyễn Văn An, phone ending 5678, due 19/11/2025
OTHER = "000.00.20.H37-251114-0456"  # phone ending 1111, awaiting documents
DOMAIN = Domain.load(str(ROOT / "domain")).as_dict()


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A real SQLite one-stop database and failed-try counter behind the actions."""
    dossiers = DossierStore(f"sqlite:///{tmp_path / 'onestop.db'}")
    dossiers.upsert([
        Dossier.parse_obj(dossier(code=CODE)),
        Dossier.parse_obj(dossier(code=OTHER, status=5, SoDienThoai="0987001111")),
    ])
    monkeypatch.setattr(dossier_actions, "_source", DatabaseSource(dossiers))
    monkeypatch.setattr(dossier_actions, "_guard", AttemptGuard(f"sqlite:///{tmp_path / 'assistant.db'}", secret=b"test"))
    return dossiers


def tracker(sender: str, text: str, intent: str, slots: Dict[str, Any], candidates: Dict[str, Any]) -> Tracker:
    """A tracker as Rasa sends it to the validation action: candidates are the freshly extracted slots."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events: List[Dict[str, Any]] = [{"event": "user", "text": text, "parse_data": latest}]
    events += [{"event": "slot", "name": name, "value": value} for name, value in candidates.items()]
    all_slots = {"dossier_code": None, "dossier_phone": None, "dossier_outcome": None, "requested_slot": None}
    all_slots.update(slots)
    all_slots.update(candidates)
    return Tracker(sender, all_slots, latest, events, False, None, {"name": "dossier_form"}, "action_listen")


def validate(sender: str, text: str, requested: Optional[str], code: Optional[str] = None, intent: str = "inform"):
    """Run validate_dossier_form for one citizen message; returns (messages, slot values set)."""
    slot = requested or "dossier_code"
    t = tracker(sender, text, intent, {"requested_slot": requested, "dossier_code": code}, {slot: text})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateDossierForm().run(dispatcher, t, DOMAIN))
    return [m.get("text") for m in dispatcher.messages], {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def answer(sender: str, slots: Dict[str, Any]):
    """Run action_lookup_dossier after the form."""
    t = tracker(sender, "", "inform", slots, {})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionLookupDossier().run(dispatcher, t, DOMAIN))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def lookup(sender: str, code_text: str, digits_text: str):
    """The whole form: code, digits, then the answer; returns all texts and the final slots."""
    texts, slots = validate(sender, code_text, "dossier_code")
    code = slots.get("dossier_code")
    if not code:
        return texts, slots
    more, slots = validate(sender, digits_text, "dossier_phone", code=code)
    texts += more
    if slots.get("dossier_outcome"):
        messages, cleared = answer(sender, {"dossier_code": slots.get("dossier_code", code), **slots})
        texts += [m["text"] for m in messages]
        slots = {**slots, **cleared}
    return texts, slots


def test_code_in_the_first_message_is_read_and_normalised(store):
    texts, slots = validate("c1", "tra cứu hồ sơ 000.00.20.h37 251114 0123 giúp em", None, intent="lookup_dossier")
    assert slots["dossier_code"] == CODE
    assert texts == []


def test_first_message_without_a_code_asks_without_complaining(store):
    texts, slots = validate("c1", "hồ sơ của tôi đến đâu rồi", None, intent="lookup_dossier")
    assert slots["dossier_code"] is None
    assert texts == []


def test_a_wrong_code_gets_the_format_explained(store):
    texts, slots = validate("c1", "000.00.20.H37-251114-123", "dossier_code")
    assert slots["dossier_code"] is None
    assert "000.00.20.H37-251114-0123" in texts[0] and "định dạng" in texts[0]


def test_the_owner_sees_the_status_and_the_digits_are_cleared(store):
    texts, slots = lookup("c2", CODE, "5678")
    reply = texts[-1]
    assert "Trạng thái: Đang xử lý" in reply and "Đăng ký tạm trú" in reply
    assert "Nguyễn V** A**" in reply and "Nguyễn Văn An" not in reply and "0912345678" not in reply
    assert "Nguồn: Hệ thống thông tin một cửa điện tử" in reply
    assert slots["dossier_phone"] is None and slots["dossier_code"] is None and slots["dossier_outcome"] is None


def test_the_whole_phone_number_is_accepted_too(store):
    texts, _ = lookup("c3", CODE, "sđt của em là 0912 345 678")
    assert "Trạng thái: Đang xử lý" in texts[-1]


def test_unknown_code_and_wrong_phone_get_the_same_message(store):
    wrong_phone, slots_a = lookup("c4", CODE, "1234")
    unknown_code, slots_b = lookup("c5", "000.00.20.H37-251114-0999", "5678")
    assert wrong_phone == unknown_code
    assert "chưa khớp" in wrong_phone[0]
    assert "Đăng ký tạm trú" not in " ".join(wrong_phone) and "Nguyễn" not in " ".join(wrong_phone)
    # The digits are asked again, the code kept: whichever was wrong, the form does the same.
    assert "dossier_code" not in slots_a and slots_a["dossier_phone"] is None
    assert slots_b == slots_a


def test_five_failed_tries_in_a_conversation_stop_the_lookup(store):
    for attempt in range(4):
        texts, slots = lookup("c6", f"000.00.20.H37-251114-09{attempt:02d}", "5678")
        assert f"còn {4 - attempt} lần thử" in texts[0]
    texts, slots = lookup("c6", "000.00.20.H37-251114-0999", "5678")
    assert "tạm dừng tra cứu" in texts[-1] and "1800 1096" in texts[-1]
    # Even the right code and digits are refused now, and the form asks nothing.
    texts, slots = lookup("c6", CODE, "5678")
    assert "Đang xử lý" not in " ".join(texts)
    t = tracker("c6", "tra cứu hồ sơ", "lookup_dossier", {}, {"dossier_code": "tra cứu hồ sơ"})
    events = asyncio.run(ValidateDossierForm().run(CollectingDispatcher(), t, DOMAIN))
    assert {"event": "slot", "name": "requested_slot", "value": None, "timestamp": None} in events


def test_five_failed_tries_on_one_code_lock_it_across_conversations(store):
    for attempt in range(5):
        lookup(f"guess-{attempt}", CODE, f"{1000 + attempt}")
    texts, _ = lookup("owner", CODE, "5678")
    assert "tạm dừng tra cứu" in texts[-1]
    assert "Đang xử lý" not in " ".join(texts)
    # Another dossier is not affected.
    texts, _ = lookup("owner-2", OTHER, "1111")
    assert "Trạng thái: Yêu cầu bổ sung giấy tờ" in texts[-1]


def test_switching_to_another_dossier_while_asked_for_digits(store):
    texts, slots = validate("c7", f"à nhầm, mã đúng là {OTHER}", "dossier_phone", code=CODE)
    assert slots["dossier_code"] == OTHER and slots["dossier_phone"] is None


def test_another_dossier_in_the_same_conversation(store):
    first, _ = lookup("c8", CODE, "5678")
    second, _ = lookup("c8", OTHER, "1111")
    assert "Đang xử lý" in first[-1] and "Yêu cầu bổ sung giấy tờ" in second[-1]


HOSTILE = [
    "' OR '1'='1",
    "000.00.20.H37-251114-0123' OR '1'='1",
    "'; DROP TABLE dossiers; --",
    "{{7*7}} ${jndi:ldap://x} <script>alert(1)</script>",
    "\x00\x01\x02",
    "٥٦٧٨",  # Arabic-Indic digits: not 0-9, never compared
    "٠٠٠.٠٠.٢٠.H٣٧-٢٥١١١٤-٠١٢٣",
    "9" * 10_000,
    "hồ sơ " * 2_000,
]


@pytest.mark.parametrize("text", HOSTILE + [os.urandom(256).decode("latin-1")])
def test_hostile_codes_and_digits_get_a_clear_message_and_lose_nothing(store, text):
    texts, slots = validate("c9", text, "dossier_code")
    assert slots["dossier_code"] in (None, CODE)
    assert all(t for t in texts)
    texts, slots = validate("c9", text, "dossier_phone", code=OTHER)
    assert slots.get("dossier_outcome") in (None, "verified") or "chưa khớp" in " ".join(texts)
    assert store.count() == 2
    assert store.get(CODE).ChuHoSo == "Nguyễn Văn An"


def test_a_typed_code_with_injection_after_it_still_reads_only_the_code(store):
    _, slots = validate("c10", "000.00.20.H37-251114-0123' OR '1'='1", "dossier_code")
    assert slots["dossier_code"] == CODE


@pytest.mark.parametrize("behaviour", ["slow", "error", "malformed", "wrong_shape", "refused"])
def test_a_failing_one_stop_system_gets_a_polite_answer_within_seconds(tmp_path, monkeypatch, behaviour):
    async def scenario():
        if behaviour == "refused":
            runner, url = None, f"http://127.0.0.1:{free_port()}"
        else:
            runner, url, _ = await fake_system(behaviour)
        source = HttpSource(url, "test-token", timeout=2.0)
        monkeypatch.setattr(dossier_actions, "_source", source)
        monkeypatch.setattr(dossier_actions, "_guard", AttemptGuard(f"sqlite:///{tmp_path / 'assistant.db'}", secret=b"test"))
        try:
            t = tracker("c11", "5678", "inform", {"requested_slot": "dossier_phone", "dossier_code": CODE},
                        {"dossier_phone": "5678"})
            dispatcher = CollectingDispatcher()
            start = time.monotonic()
            events = await ValidateDossierForm().run(dispatcher, t, DOMAIN)
            slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
            messages = CollectingDispatcher()
            after = tracker("c11", "", "inform", {"dossier_code": CODE, **slots}, {})
            await ActionLookupDossier().run(messages, after, DOMAIN)
            return slots, messages.messages, time.monotonic() - start
        finally:
            await source.close()
            if runner:
                await runner.cleanup()

    slots, messages, elapsed = asyncio.run(scenario())
    assert slots["dossier_outcome"] == "unavailable" and slots["dossier_phone"] is None
    assert "tạm thời không phản hồi" in messages[0]["text"]
    assert "dichvucong.langson.gov.vn" in messages[0]["text"]
    assert elapsed < 5


def test_stopping_leaves_the_form_and_forgets_everything(store):
    t = tracker("c12", "thôi", "deny", {"requested_slot": "dossier_phone", "dossier_code": CODE}, {})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionStopDossierLookup().run(dispatcher, t, DOMAIN))
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"requested_slot": None, "dossier_code": None, "dossier_phone": None, "dossier_outcome": None}
    assert "dừng tra cứu" in dispatcher.messages[0]["text"]
    # A question that ends the form is answered by the next action, silently here.
    t = tracker("c12", "lệ phí bao nhiêu", "ask_fee", {"requested_slot": "dossier_code"}, {})
    silent = CollectingDispatcher()
    asyncio.run(ActionStopDossierLookup().run(silent, t, DOMAIN))
    assert silent.messages == []


def test_a_verified_slot_without_a_grant_shows_nothing(store):
    """A forged tracker or an injected slot says "verified"; only the guard's grant opens a dossier."""
    messages, slots = answer("forger", {"dossier_code": CODE, "dossier_outcome": "verified"})
    text = " ".join(m["text"] for m in messages)
    assert "chưa xác minh" in text
    assert "Đăng ký tạm trú" not in text and "Nguyễn" not in text and "Đang xử lý" not in text
    assert slots["dossier_outcome"] is None and slots["dossier_code"] is None


def test_a_grant_is_used_once_and_only_by_its_conversation(store):
    _, slots = validate("owner-g", "5678", "dossier_phone", code=CODE)
    assert slots["dossier_outcome"] == "verified"
    # Another conversation replaying the same slots gets nothing.
    stolen, _ = answer("thief", {"dossier_code": CODE, "dossier_outcome": "verified"})
    assert "Đang xử lý" not in stolen[0]["text"]
    first, _ = answer("owner-g", {"dossier_code": CODE, "dossier_outcome": "verified"})
    assert "Trạng thái: Đang xử lý" in first[0]["text"]
    again, _ = answer("owner-g", {"dossier_code": CODE, "dossier_outcome": "verified"})
    assert "Đang xử lý" not in again[0]["text"]


def test_a_grant_covers_only_the_verified_code(store):
    _, slots = validate("owner-h", "5678", "dossier_phone", code=CODE)
    assert slots["dossier_outcome"] == "verified"
    swapped, _ = answer("owner-h", {"dossier_code": OTHER, "dossier_outcome": "verified"})
    assert "Yêu cầu bổ sung" not in swapped[0]["text"]


def test_after_a_mismatch_the_next_digits_are_checked_against_the_same_code(store):
    texts, slots = validate("c13", "1234", "dossier_phone", code=CODE)
    assert "chưa khớp" in texts[0] and "dossier_code" not in slots
    _, slots = validate("c13", "5678", "dossier_phone", code=CODE)
    assert slots["dossier_outcome"] == "verified"
