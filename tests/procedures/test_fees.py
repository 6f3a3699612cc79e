"""Tests for actions/procedures/fees.py: a fee cell as it applies on a given day.

Unit cases are written from the shapes the national records use; the catalogue-wide tests read
every fee cell of the 2,642 national records.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from actions.procedures.answers import answer
from actions.procedures.fees import Period, census, fee_today, read_fee, read_period, split_clauses

TODAY = dt.date(2026, 12, 2)
AMOUNT = re.compile(r"\d{1,3}(?:[.,]\d{3})+")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kể từ ngày 01/12/2023 đến hết ngày 31/12/2025, áp dụng mức 115.000 đồng",
         Period(dt.date(2023, 12, 1), dt.date(2025, 12, 31))),
        ("Miễn lệ phí từ ngày 07/4/2026 đến 30/6/2026", Period(dt.date(2026, 4, 7), dt.date(2026, 6, 30))),
        ("25.000đ/tem (áp dụng đến hết ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC ngày 30/6/2025)",
         Period(None, dt.date(2026, 12, 31))),
        ("áp dụng từ kể từ ngày 01 tháng 7 năm 2025 đến hết ngày 31 tháng 12 năm 2026",
         Period(dt.date(2025, 7, 1), dt.date(2026, 12, 31))),
        ("mức thu bằng 50% đến hết năm 2026", Period(None, dt.date(2026, 12, 31))),
    ],
)
def test_validity_periods_are_read(text, expected):
    assert read_period(text) == expected


def test_a_circulars_own_date_is_not_a_period():
    assert read_period("200.000đ/hộ chiếu (Thông tư số 25/2021/TT-BTC ngày 07/4/2021 của Bộ Tài chính)") is None
    assert read_period("Thông tư số 112/2021/TT-BTC ngày 15 tháng 12 năm 2021") is None


def test_period_status_by_day():
    period = Period(dt.date(2025, 7, 1), dt.date(2026, 12, 31))
    assert period.status(dt.date(2025, 6, 30)) == "future"
    assert period.status(dt.date(2026, 12, 31)) == "current"
    assert period.status(dt.date(2027, 1, 1)) == "ended"


def test_notes_split_into_clauses():
    note = "- 50.000đ/tem “AB” (Thông tư số 25/2021/TT-BTC). - 25.000đ/tem “AB” (áp dụng đến hết ngày 31/12/2026)"
    assert split_clauses(note) == ["50.000đ/tem “AB” (Thông tư số 25/2021/TT-BTC)",
                                   "25.000đ/tem “AB” (áp dụng đến hết ngày 31/12/2026)"]


def test_free_head_with_a_rate_in_the_note_is_never_said_free():
    text = ("Miễn phí (Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần. Trường hợp tổ chức, cá nhân nộp hồ sơ theo "
            "hình thức trực tuyến: Kể từ ngày 01/12/2023 đến hết ngày 31/12/2025, áp dụng mức thu lệ phí là "
            "115.000 đồng/lần cấp.)")
    shown = fee_today(text, None, TODAY)
    assert shown.contradiction
    assert not any(line.startswith("Miễn phí") for line in shown.lines)
    assert shown.lines[0] == "Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần"
    assert "(Đã hết hạn: mức 115.000 đồng khi nộp trực tuyến chỉ áp dụng đến hết ngày 31/12/2025)" in shown.lines
    # On a day inside the reduction, the reduced online rate comes first.
    during = fee_today(text, None, dt.date(2024, 6, 1)).lines
    assert during[0].startswith("Đang áp dụng đến hết ngày 31/12/2025:") and "115.000" in during[0]


def test_an_ended_head_rate_is_not_given_as_todays():
    text = ("160,000 đồng (+ 160.000/hộ chiếu, trường hợp cấp lại do bị hư hỏng hoặc bị mất: 320.000đ/hộ chiếu "
            "(áp dụng đến hết ngày 31/12/2023 theo Thông tư số 44/2023/TT-BTC ngày 29/6/2023 của Bộ tài chính).)")
    lines = fee_today(text, 160000, TODAY).lines
    assert lines == ["Mức 160.000 đồng ghi trong danh mục chỉ áp dụng đến hết ngày 31/12/2023; "
                     "danh mục chưa ghi mức thu áp dụng sau ngày đó"]
    assert fee_today(text, 160000, dt.date(2023, 10, 1)).lines[0].startswith("Đang áp dụng đến hết ngày 31/12/2023")


def test_a_reduction_in_force_comes_first_with_its_amount_worked_out():
    text = ("140,000,000 đồng ((Từ ngày 01/07/2025 đến hết ngày 31/12/2026, mức lệ phí bằng 50% mức phí nêu trên "
            "theo quy định tại Thông tư 64/2025/TT-BTC ngày 30/06/2025.))")
    assert fee_today(text, 140000000, TODAY).lines == [
        "Đang áp dụng đến hết ngày 31/12/2026: mức lệ phí bằng 50% mức phí nêu trên (tức 70.000.000 đồng)",
        "Mức thông thường: 140,000,000 đồng",
    ]
    assert fee_today(text, 140000000, dt.date(2027, 1, 1)).lines[0] == "140,000,000 đồng"


def test_an_ended_exemption_is_said_to_have_ended():
    text = "1,500,000 đồng (Lệ phí đăng ký (Miễn lệ phí từ ngày 07/4/2026 đến 30/6/2026 theo Thông tư 40/2026/TT-BTC))"
    lines = fee_today(text, 1500000, TODAY).lines
    assert lines[0] == "1,500,000 đồng"
    assert "(Đã hết hạn: mức miễn, giảm chỉ áp dụng đến hết ngày 30/06/2026)" in lines


def test_a_case_condition_is_kept_with_the_rate():
    text = "200,000 đồng (200.000đ/ hộ chiếu. Trường hợp cấp lại do bị hỏng hoặc bị mất: 400.000đ/hộ chiếu)"
    assert fee_today(text, 200000, TODAY).lines == ["200,000 đồng", "Trường hợp cấp lại do bị hỏng hoặc bị mất: 400.000đ/hộ chiếu"]


def test_weights_and_sizes_are_not_amounts():
    (reading,) = read_fee("4,500,000 đồng (Tàu bay dưới 5.700 kg: 1,500,000)")
    assert [clause.amounts for clause in reading.clauses] == [(1500000,)]


def test_plain_free_stays_free():
    assert fee_today("Miễn phí", None, TODAY).lines == ["Miễn phí"]
    assert fee_today("Miễn phí (Thông tư số 112/2021/TT-BTC ngày 15 tháng 12 năm 2021)", None, TODAY).lines == ["Miễn phí"]


# --- every fee cell of the national records ----------------------------------------------


def _cells(national):
    return [(channel.fee.text, channel.fee.amount_vnd) for procedure in national for channel in procedure.channels
            if channel.fee]


def test_every_dated_fee_note_of_the_national_records_is_read(national):
    counted = census(_cells(national), TODAY)
    assert counted.cells > 500 and counted.with_period_words > 100
    assert counted.periods_read == counted.with_period_words
    assert counted.contradictions_left == 0


def test_no_fee_answer_says_free_next_to_a_rate_in_force(national):
    for procedure in national:
        if not any(channel.fee for channel in procedure.channels):
            continue
        for line in answer(procedure, "ask_fee").text.splitlines():
            if "Miễn phí" in line and not line.startswith("Nguồn"):
                rest = line.split("Miễn phí", 1)[1]
                assert not AMOUNT.search(rest.split("(Đã hết hạn")[0]), (procedure.code, line)


def test_no_fee_answer_gives_an_ended_period_as_in_force(national):
    for procedure in national:
        text = answer(procedure, "ask_fee").text
        for match in re.finditer(r"Đang áp dụng đến hết ngày (\d{2})/(\d{2})/(\d{4})", text):
            day, month, year = map(int, match.groups())
            assert dt.date(year, month, day) >= dt.date.today(), (procedure.code, match.group())
