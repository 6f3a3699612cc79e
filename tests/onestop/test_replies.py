"""Tests for actions/onestop/replies.py: what a verified owner reads."""
import datetime as dt

import pytest

from actions.onestop.model import STATUS_LABELS, Dossier
from actions.onestop.replies import mask_name, next_step, overdue_days, status_reply
from tests.onestop.conftest import dossier

NOW = dt.datetime(2025, 11, 24, 10, 0)  # the fixture dossier is due 19/11/2025 17:00


def make(status=4, **changes) -> Dossier:
    return Dossier.parse_obj(dossier(status=status, **changes))


@pytest.mark.parametrize(
    "name, masked",
    [("Nguyễn Văn An", "Nguyễn V** A**"), ("Lê Thị Minh Hằng", "Lê T** M** H**"), ("An", "A**"), ("", "")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("status", sorted(STATUS_LABELS))
def test_every_status_is_named_with_its_label_and_never_shows_the_full_name_or_phone(status):
    text = status_reply(make(status), NOW, hotline_text="tổng đài 1800 1096")
    assert f"Trạng thái: {STATUS_LABELS[status]}" in text
    assert "Đăng ký tạm trú" in text and "000.00.20.H37-251114-0123" in text
    assert "Nguyễn Văn An" not in text and "Nguyễn V** A**" in text
    assert "0912345678" not in text and "5678" not in text
    assert "Nguồn: Hệ thống thông tin một cửa điện tử" in text


def test_overdue_is_counted_in_days_with_an_apology_and_the_hotline():
    text = status_reply(make(4), NOW, hotline_text="tổng đài 1800 1096")
    assert "quá hạn 5 ngày" in text
    assert "xin lỗi" in text and "1800 1096" in text
    assert "Ngày tiếp nhận: 14/11/2025" in text and "Ngày hẹn trả: 19/11/2025" in text


@pytest.mark.parametrize("status", [3, 5, 6, 7, 8, 9, 10])
def test_no_overdue_when_the_agency_does_not_hold_the_dossier(status):
    assert overdue_days(make(status), NOW) == 0


def test_not_overdue_before_the_due_time():
    assert overdue_days(make(4), dt.datetime(2025, 11, 19, 16, 0)) == 0
    assert overdue_days(make(4, NgayHenTra=""), NOW) == 0
    assert "quá hạn" not in status_reply(make(4), dt.datetime(2025, 11, 18))


def test_awaiting_documents_names_them_from_the_history():
    history = [
        {"NguoiXuLy": "A", "ThoiDiemXuLy": "20251114090000", "NoiDungXuLy": "Tiếp nhận", "TrangThai": 2},
        {"NguoiXuLy": "B", "ThoiDiemXuLy": "20251117090000", "NoiDungXuLy": "Bổ sung: bản sao hợp đồng thuê nhà", "TrangThai": 5},
    ]
    step = next_step(make(5, QuaTrinhXuLy=history))
    assert "bản sao hợp đồng thuê nhà" in step
    # Without it in the history, the assistant says so instead of guessing.
    assert "chưa có trong dữ liệu" in next_step(make(5))


def test_fee_result_and_refusal_say_what_to_do():
    assert "nộp phí, lệ phí" in next_step(make(6))
    ready = next_step(make(9, KenhThucHien=1))
    assert "Kết quả đã sẵn sàng" in ready and "Công an xã Hoàng Đồng" in ready
    assert "bưu chính" in next_step(make(9, KenhThucHien=3))
    refused = [{"ThoiDiemXuLy": "20251114090000", "NoiDungXuLy": "Thiếu tờ khai", "TrangThai": 3}]
    assert "Lý do: Thiếu tờ khai" in next_step(make(3, QuaTrinhXuLy=refused))
    assert "15/11/2025" in next_step(make(10, NgayTra="20251115100000"))
