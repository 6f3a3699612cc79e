"""ActionInternalProcess: staff questions get the staff-mode notice, citizens' get their procedure."""
import asyncio
from typing import Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.placeholders import ActionInternalProcess
from actions.procedure_actions import PROCEDURE_SLOT, procedure_service


def run(text: str):
    latest = {"text": text, "intent": {"name": "ask_internal_process", "confidence": 0.9}, "entities": []}
    tracker = Tracker("citizen", {PROCEDURE_SLOT: None}, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionInternalProcess().run(dispatcher, tracker, {}))
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0], events


def answered(events) -> Optional[str]:
    return next((event["value"] for event in events if event.get("name") == PROCEDURE_SLOT), None)


@pytest.fixture(scope="module")
def catalogue():
    service = procedure_service()
    assert service is not None
    return service.catalogue


def test_a_citizens_question_taken_for_an_internal_one_is_answered_from_the_catalogue(catalogue):
    message, events = run("công ty em muốn đăng ký thay đổi địa chỉ trụ sở chính thì nộp hồ sơ ở đâu")
    code = answered(events)
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
    message, events = run(text)
    assert answered(events) is None
    assert "cán bộ đã đăng nhập" in message["text"]
