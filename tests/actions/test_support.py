"""Tests for actions/support.py."""
import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from rasa_sdk.executor import CollectingDispatcher

from actions.settings import ServiceCentre, service_centre
from actions.support import ActionRequestHuman, contact_message
from tests.conftest import make_tracker

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_contact_message_says_whether_someone_answers_now():
    centre = service_centre()
    open_now = contact_message(centre, dt.datetime(2026, 11, 23, 9, 0, tzinfo=HANOI))
    closed = contact_message(centre, dt.datetime(2026, 11, 28, 21, 0, tzinfo=HANOI))
    assert "đang trong giờ làm việc" in open_now
    assert "ngoài giờ làm việc" in closed
    assert "1800 1096" in open_now


def test_missing_values_are_left_out_not_invented():
    centre = ServiceCentre(name="Trung tâm X")
    text = contact_message(centre)
    assert "Đường dây nóng" not in text and "Địa chỉ" not in text


def test_action_request_human_answers():
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionRequestHuman().run(dispatcher, make_tracker("cho gap can bo", "request_human"), {}))
    assert service_centre().name in dispatcher.messages[0]["text"]
