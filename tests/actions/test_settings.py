"""Tests for actions/settings.py."""
import datetime as dt
from zoneinfo import ZoneInfo

from actions.settings import intent_labels, service_centre

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_service_centre_is_read_from_the_settings_file():
    centre = service_centre()
    assert centre.name.startswith("Trung tâm Phục vụ hành chính công")
    assert centre.national_hotline
    assert centre.portal_url.startswith("https://")


def test_office_hours():
    centre = service_centre()
    monday_morning = dt.datetime(2026, 11, 23, 8, 0, tzinfo=HANOI)
    monday_lunch = dt.datetime(2026, 11, 23, 12, 0, tzinfo=HANOI)
    sunday = dt.datetime(2026, 11, 29, 9, 0, tzinfo=HANOI)
    assert centre.is_open(monday_morning)
    assert not centre.is_open(monday_lunch)
    assert not centre.is_open(sunday)
    # A UTC moment is judged in the centre's time zone: 01:00 UTC is 08:00 in Hà Nội.
    assert centre.is_open(dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc))


def test_office_hours_text_groups_days():
    text = service_centre().office_hours_text()
    assert text.startswith("Thứ Hai đến Thứ Sáu: 07:30–11:30, 13:30–17:00")


def test_every_contract_intent_has_a_label():
    labels = intent_labels()
    for intent in ["ask_fee", "ask_documents", "lookup_dossier", "request_human"]:
        assert labels[intent]
