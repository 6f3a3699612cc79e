"""ActionAnswerProcedure with real rasa_sdk trackers over the shipped catalogue (data/procedures/)."""
import asyncio
import json
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.placeholders import ActionInternalProcess
from actions.procedure_actions import PROCEDURE_SLOT, ActionAnswerProcedure, procedure_service


def tracker(text: str, intent: str, slot: Optional[str] = None, entities: Optional[List[Dict[str, Any]]] = None):
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    return Tracker("citizen", {PROCEDURE_SLOT: slot}, latest, [], False, None, {}, "action_listen")


def run(text: str, intent: str, slot: Optional[str] = None, entities=None, action=None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run((action or ActionAnswerProcedure()).run(dispatcher, tracker(text, intent, slot, entities), {}))
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0], events


def slot_value(events) -> Optional[str]:
    return next((event["value"] for event in events if event.get("name") == PROCEDURE_SLOT), None)


@pytest.fixture(scope="module")
def catalogue():
    service = procedure_service()
    assert service is not None
    return service.catalogue


def test_fee_question_is_answered_from_the_record_and_remembered(catalogue):
    message, events = run("lệ phí làm hộ chiếu bao nhiêu", "ask_fee")
    passport = catalogue.get("1.001456")
    assert passport.name in message["text"]
    assert passport.source_url in message["text"]
    assert slot_value(events) == "1.001456"


def test_follow_up_keeps_the_procedure_of_the_conversation(catalogue):
    message, events = run("còn thời gian thì sao?", "ask_duration", slot="1.004194")
    assert catalogue.get("1.004194").name in message["text"]
    assert slot_value(events) == "1.004194"
    message, _ = run("nộp ở đâu?", "ask_agency", slot="1.004194")
    assert catalogue.get("1.004194").name in message["text"]


def test_a_new_procedure_in_a_follow_up_replaces_the_old_one():
    _, events = run("thế còn đăng ký kết hôn thì mất bao lâu", "ask_duration", slot="1.004194")
    assert slot_value(events) == "1.000894"


def test_equally_good_procedures_are_offered_as_buttons(catalogue):
    # The shipped catalogue has "cấp lại thẻ căn cước" at commune and at provincial level.
    message, events = run("cấp lại thẻ căn cước cần giấy tờ gì", "ask_documents")
    payloads = [json.loads(button["payload"][button["payload"].index("{"):]) for button in message["buttons"]]
    codes = {payload["procedure_code"] for payload in payloads}
    assert {"1.014064", "2.001194"} <= codes
    assert all(button["payload"].startswith("/ask_documents{") for button in message["buttons"])
    assert slot_value(events) is None


def test_pressing_a_button_answers_that_procedure(catalogue):
    entities = [{"entity": PROCEDURE_SLOT, "value": "2.001194"}]
    message, events = run('/ask_documents{"procedure_code":"2.001194"}', "ask_documents", entities=entities)
    assert catalogue.get("2.001194").name in message["text"]
    assert slot_value(events) == "2.001194"


def test_unknown_procedure_says_so_and_suggests_fields():
    message, events = run("thủ tục xyzzy plugh", "ask_procedure")
    assert "chưa tìm thấy" in message["text"]
    assert events == []


def test_attribute_question_without_any_procedure_asks_which_one():
    message, events = run("lệ phí bao nhiêu", "ask_fee")
    assert "chưa tìm thấy" in message["text"] or message["buttons"]
    assert slot_value(events) is None


def test_browsing_a_field_lists_its_procedures(catalogue):
    message, _ = run("có những thủ tục nào về hộ tịch", "ask_procedure")
    members = [procedure for procedure in catalogue if procedure.field == "Hộ tịch"]
    assert members
    assert "Hộ tịch" in message["text"]
    assert any(procedure.name in message["text"] for procedure in members)
    assert all(button["payload"].startswith("/ask_procedure{") for button in message["buttons"])
    assert all(len(line) <= 92 for line in message["text"].splitlines() if line.startswith("•"))


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02", "<script>alert(1)</script>", "'; DROP TABLE x; --", "a" * 10000])
def test_bad_input_gets_a_polite_answer(text):
    message, _ = run(text, "ask_fee")
    assert message["text"]
    assert "Traceback" not in message["text"]


# --- questions the classifier took for a civil servant's internal one -------------------------


def test_a_citizens_question_taken_for_an_internal_one_is_answered_from_the_catalogue(catalogue):
    text = "công ty em muốn đăng ký thay đổi địa chỉ trụ sở chính thì nộp hồ sơ ở đâu"
    message, events = run(text, "ask_internal_process", action=ActionInternalProcess())
    code = slot_value(events)
    assert code is not None and "trụ sở chính" in catalogue.get(code).name
    assert "Cơ quan" in message["text"] or "nộp" in message["text"].lower()  # the agency, not the overview


@pytest.mark.parametrize(
    "text",
    [
        "cán bộ một cửa chuyển hồ sơ đăng ký khai sinh sang phòng chuyên môn thế nào",
        "phân công thụ lý hồ sơ đăng ký kết hôn trên hệ thống",
        "quy trình nội bộ xử lý văn bản đến",
    ],
)
def test_staff_work_and_unknown_processes_get_the_staff_mode_notice(text):
    message, events = run(text, "ask_internal_process", action=ActionInternalProcess())
    assert slot_value(events) is None
    assert "cán bộ đã đăng nhập" in message["text"]
