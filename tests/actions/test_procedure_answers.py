"""Tests for actions/procedures/answers.py, on real records: the national import and data/procedures/."""
from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path
from typing import Dict, List

import pytest

from actions.procedures.answers import (
    ATTRIBUTE_INTENTS,
    MAX_CHARS,
    Answer,
    answer,
    choose,
    overview,
    procedure_payload,
    shorten,
)
from actions.procedures.catalogue import DEFAULT_PATH, catalogue_files, load
from actions.procedures.schema import Procedure

NATIONAL = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "dvcqg" / "procedures.jsonl.gz"
ALL_INTENTS = ["ask_procedure", *ATTRIBUTE_INTENTS]
PAYLOAD = re.compile(r"^/(\w+)(\{.*\})$")
MORE = re.compile(r"… và (\d+) mục khác(?: \(kể cả \d+ trường hợp chưa hiện\))?, xem đầy đủ tại trang chính thức")


@pytest.fixture(scope="module")
def national() -> Dict[str, Procedure]:
    """The national records (dichvucong.gov.vn crawl) converted once for this module (~10 s)."""
    if not NATIONAL.is_file():
        pytest.skip(f"national records not available at {NATIONAL}")
    from actions.procedures.dvcqg import import_records

    report = import_records(NATIONAL)
    assert report.procedures, "the import produced no procedure"
    return {procedure.code: procedure for procedure in report.procedures}


@pytest.fixture(scope="module")
def local() -> List[Procedure]:
    """The shipped catalogue (data/procedures/), or one hand-written record while it is empty."""
    has_records = DEFAULT_PATH.is_dir() and any(
        path.suffix in (".yml", ".yaml") for path in catalogue_files(DEFAULT_PATH)
    )
    if has_records:
        return list(load(DEFAULT_PATH))
    return [_sample_procedure()]


def _sample_procedure(**changes) -> Procedure:
    record = {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "levels": ["commune"],
        "agency": "Ủy ban nhân dân cấp xã",
        "channels": [
            {"kind": kind, "duration": {"text": "Ngay trong ngày làm việc"}, "fee": {"text": "Miễn phí", "free": True}}
            for kind in ("direct", "online")
        ],
        "document_groups": [{"documents": [{"name": "Tờ khai đăng ký khai sinh", "forms": ["Mẫu tờ khai"]}]}],
        "steps": ["Nộp hồ sơ", "Nhận kết quả"],
        "online_url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
        "source_url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
        "checked": "2025-07-01",
    }
    record.update(changes)
    return Procedure.parse_obj(record)


def _first(national: Dict[str, Procedure], condition) -> Procedure:
    """The first record (by code, so the choice is stable) that meets `condition`."""
    for code in sorted(national):
        if condition(national[code]):
            return national[code]
    pytest.fail("no national record fits this test")


def _words(text: str) -> str:
    return " ".join(text.split())


def assert_well_formed(procedure: Procedure, result: Answer, limit: int = 1000) -> None:
    """What every answer must do: name the procedure, end with the source line, stay short."""
    text = result.text
    assert isinstance(text, str) and text
    assert "None" not in text
    assert "Không có thông tin" not in text  # the portal's placeholder is never shown as a value
    first_line = text.splitlines()[0]
    assert first_line.startswith("Thủ tục “")
    assert _words(procedure.name)[:40] in first_line
    if procedure.taken:  # a crawled record: the day its data was taken, never the import day
        assert text.splitlines()[-1] == f"Nguồn: {procedure.source_url} (dữ liệu lấy từ nguồn ngày {procedure.taken:%d/%m/%Y})"
    else:
        assert text.splitlines()[-1] == f"Nguồn: {procedure.source_url} (cập nhật {procedure.checked:%d/%m/%Y})"
    assert len(text) <= limit
    for button in result.buttons:
        assert set(button) == {"title", "payload"} and button["title"]


# --- fee and duration --------------------------------------------------------------------


def test_passport_fee_is_given_per_channel_as_it_applies_today(national):
    # The record's online rate (160,000 đồng) is a reduction that ended on 31/12/2023.
    passport = national["1.001456"]
    text = answer(passport, "ask_fee").text
    assert text.startswith("Thủ tục “Cấp hộ chiếu phổ thông ở trong nước")
    direct = next(line for line in text.splitlines() if "200,000" in line)
    online = next(line for line in text.splitlines() if "160.000 đồng" in line)
    assert "nộp trực tiếp" in direct.lower() and "400.000" in direct  # the re-issue case is stated
    assert "nộp trực tuyến" in online.lower() and "chỉ áp dụng đến hết ngày 31/12/2023" in online
    assert "qua bưu chính" in online.lower()  # online and postal agree: said once
    assert f"áp dụng ngày {dt.date.today():%d/%m/%Y}" in text
    assert_well_formed(passport, answer(passport, "ask_fee"))


def test_passport_duration_is_said_once_for_all_channels(national):
    text = answer(national["1.001456"], "ask_duration").text
    assert text.count("8 ngày làm việc") == 1
    for channel in ("nộp trực tiếp", "nộp trực tuyến", "qua bưu chính"):
        assert channel in text


def test_missing_fee_is_said_to_be_missing(national):
    procedure = _first(national, lambda p: p.channels and not any(c.fee for c in p.channels))
    result = answer(procedure, "ask_fee")
    assert "Danh mục chưa có thông tin về lệ phí của thủ tục này" in result.text
    assert procedure.source_url in result.text
    assert "trang chính thức" in result.text
    assert "đồng" not in result.text  # no amount made up
    assert_well_formed(procedure, result)


def test_missing_duration_is_said_to_be_missing(national):
    procedure = _first(national, lambda p: p.channels and not any(c.duration for c in p.channels))
    assert "Danh mục chưa có thông tin về thời gian giải quyết" in answer(procedure, "ask_duration").text


def test_a_channel_without_fee_is_named_as_unknown():
    procedure = _sample_procedure(
        channels=[
            {"kind": "direct", "fee": {"text": "50.000 đồng/lần"}},
            {"kind": "postal"},
        ]
    )
    text = answer(procedure, "ask_fee").text
    assert "- Nộp trực tiếp: 50.000 đồng/lần" in text
    assert "- Qua bưu chính: danh mục chưa có thông tin" in text


# --- documents and forms -----------------------------------------------------------------


def test_documents_of_a_multi_case_record_show_the_case_names(national):
    procedure = _first(
        national,
        lambda p: len(p.document_groups) == 2
        and all(g.case and len(g.case) < 60 for g in p.document_groups)
        and len(p.documents) <= 5,
    )
    result = answer(procedure, "ask_documents")
    for group in procedure.document_groups:
        assert f"\n{shorten(group.case, 200).rstrip(' :')}:\n" in result.text
        for document in group.documents:
            assert _words(document.name)[:40] in result.text
    assert "2 trường hợp" in result.text
    assert_well_formed(procedure, result)


def test_documents_show_quantities(national):
    text = answer(national["1.001456"], "ask_documents").text
    assert "(1 bản chính, 1 bản sao)" in text
    assert "Hồ sơ gồm 6 giấy tờ" in text


def test_a_long_document_list_is_summarised(national):
    procedure = max(national.values(), key=lambda p: (len(p.documents), p.code))
    assert len(procedure.documents) > 20
    result = answer(procedure, "ask_documents")
    shown = [line for line in result.text.splitlines() if line.startswith("- ")]
    more = MORE.search(result.text)
    assert more, result.text
    assert 1 <= len(shown) <= 5
    assert int(more.group(1)) == len(procedure.documents) - len(shown)
    assert len(result.text) <= MAX_CHARS
    assert all(len(line) <= 200 for line in shown)
    assert_well_formed(procedure, result)


def test_a_single_list_shows_five_items_then_the_count():
    documents = [{"name": f"Giấy tờ số {index}", "quantity_text": "1 bản sao"} for index in range(1, 13)]
    procedure = _sample_procedure(document_groups=[{"documents": documents}])
    text = answer(procedure, "ask_documents").text
    assert "- Giấy tờ số 5 (1 bản sao)" in text
    assert "Giấy tờ số 6" not in text
    assert "… và 7 mục khác, xem đầy đủ tại trang chính thức" in text


def test_long_items_are_cut_at_a_word_boundary():
    long_step = "Nộp hồ sơ tại bộ phận một cửa " + "và chờ cán bộ kiểm tra " * 30
    procedure = _sample_procedure(steps=[long_step, "Nhận kết quả"])
    text = answer(procedure, "ask_steps").text
    first = next(line for line in text.splitlines() if line.startswith("1. "))
    assert first.endswith("…")
    assert len(first) <= 3 + 180
    assert first[:-1].rstrip() in "1. " + " ".join(long_step.split())  # a prefix, cut between words
    assert "2. Nhận kết quả" in text


def test_forms_list_form_names(national):
    passport = national["1.001456"]
    result = answer(passport, "ask_forms")
    assert "TK01a" in result.text
    assert "mẫu" in result.text
    assert_well_formed(passport, result)


def test_no_form_is_said_plainly(national):
    procedure = _first(national, lambda p: p.documents and not any(d.forms for d in p.documents))
    text = answer(procedure, "ask_forms").text
    assert "Danh mục không liệt kê mẫu đơn, tờ khai nào cho thủ tục này" in text


# --- agency, online, steps, legal basis, result, conditions ------------------------------


def test_agency_answer_names_agency_authority_and_missing_address(national):
    text = answer(national["1.001456"], "ask_agency").text
    assert "Cơ quan thực hiện: Công an cấp Tỉnh" in text
    assert "Cục quản lý xuất nhập cảnh" in text
    assert "chưa ghi địa chỉ cụ thể" in text


def test_agency_answer_gives_the_receiving_address(national):
    procedure = _first(national, lambda p: p.receiving_address and len(p.receiving_address) < 100)
    assert f"Địa chỉ tiếp nhận hồ sơ: {_words(procedure.receiving_address)}" in answer(procedure, "ask_agency").text


def test_online_answer_with_an_online_channel(national):
    passport = national["1.001456"]
    text = answer(passport, "ask_online").text
    assert "nộp trực tuyến được" in text
    assert passport.online_url in text


def test_online_answer_without_an_online_channel(national):
    procedure = _first(national, lambda p: p.channels and not p.channel("online"))
    text = answer(procedure, "ask_online").text
    assert "chưa có hình thức nộp trực tuyến" in text


def test_online_answer_when_channels_are_unknown(national):
    procedure = _first(national, lambda p: not p.channels)
    result = answer(procedure, "ask_online")
    assert "chưa biết có nộp trực tuyến được không" in result.text
    assert_well_formed(procedure, result)


def test_steps_are_numbered(national):
    procedure = _first(
        national, lambda p: len(p.steps) >= 3 and not any(s.lower().startswith(("bước", "b1")) for s in p.steps)
    )
    lines = answer(procedure, "ask_steps").text.splitlines()
    assert any(line.startswith("1. ") for line in lines)
    assert any(line.startswith("2. ") for line in lines)


def test_steps_that_carry_their_own_number_are_not_numbered_twice(national):
    text = answer(national["1.001456"], "ask_steps").text
    assert "\nBước 1: Chuẩn bị hồ sơ" in text
    assert "1. Bước 1" not in text


def test_legal_basis_gives_code_and_title(national):
    text = answer(national["1.001456"], "ask_legal_basis").text
    assert "49/2019/QH14" in text
    assert "Thông tư số 31/2023/TT-BCA" in text


def test_result_lists_the_results(national):
    text = answer(national["1.001456"], "ask_result").text
    assert "Hộ chiếu phổ thông không gắn chíp điện tử" in text


def test_conditions_are_listed(national):
    procedure = _first(national, lambda p: len(p.conditions) >= 2 and all(len(c) < 100 for c in p.conditions[:2]))
    text = answer(procedure, "ask_conditions").text
    assert "Yêu cầu, điều kiện:" in text
    assert f"- {_words(procedure.conditions[0])}" in text


def test_page_chrome_in_a_record_is_treated_as_missing(national):
    procedure = national["1.000916"]  # its conditions cell is the portal's placeholder glued to page chrome
    text = answer(procedure, "ask_conditions").text
    assert "Danh mục chưa có thông tin về yêu cầu, điều kiện" in text
    assert "Từ khóa" not in text


# --- every record, every intent ----------------------------------------------------------


def test_every_answer_is_well_formed_for_200_random_records(national):
    sample = random.Random(20240611).sample(sorted(national), 200)
    for code in sample:
        procedure = national[code]
        for intent in ALL_INTENTS:
            assert_well_formed(procedure, answer(procedure, intent))


def test_every_answer_is_well_formed_for_the_shipped_catalogue(local):
    for procedure in local:
        for intent in ALL_INTENTS:
            assert_well_formed(procedure, answer(procedure, intent), limit=MAX_CHARS)


def test_odd_text_never_crashes():
    odd = '<script>alert("x")</script> {procedure_code} %s {0} \\n 😀 ' + "x" * 1500
    procedure = _sample_procedure(
        name="Thủ tục " + odd,
        field=odd,
        agency=odd,
        receiving_address=odd,
        steps=[odd, "Bước 2:"],
        conditions=[odd] * 30,
        results=[odd],
        legal_basis=[{"title": odd, "code": "1/2020/NĐ-CP"}],
        document_groups=[
            {"case": odd, "documents": [{"name": odd, "forms": [odd]}]},
            {"documents": [{"name": "Đơn"}]},
        ],
        channels=[{"kind": "direct", "duration": {"text": odd}, "fee": {"text": odd}, "note": odd}],
    )
    for intent in ALL_INTENTS:
        result = answer(procedure, intent)
        assert len(result.text) <= MAX_CHARS
        assert result.text.splitlines()[-1] == f"Nguồn: {procedure.source_url} (cập nhật 01/07/2025)"
    assert "<script>" in answer(procedure, "ask_agency").text  # left as is: the channel escapes HTML


def test_shorten():
    assert shorten("  a  b\nc ", 10) == "a b c"
    assert shorten("một hai ba bốn năm sáu", 12) == "một hai ba…"
    assert len(shorten("x" * 500, 100)) == 100


# --- overview, buttons, choose -----------------------------------------------------------


def test_overview_summarises_the_procedure(national):
    passport = national["1.001456"]
    result = overview(passport)
    expected = ["Quản lý xuất nhập cảnh", "cấp tỉnh", "Công an cấp Tỉnh", "8 ngày làm việc", "Nộp trực tuyến: được"]
    for fact in expected:
        assert fact in result.text
    assert answer(passport, "ask_procedure") == result
    assert_well_formed(passport, result)


def test_overview_buttons_carry_valid_payloads(national):
    passport = national["1.001456"]
    buttons = overview(passport).buttons
    intents = []
    for button in buttons:
        match = PAYLOAD.match(button["payload"])
        assert match, button
        intents.append(match.group(1))
        assert json.loads(match.group(2)) == {"procedure_code": "1.001456"}
    assert intents == ["ask_documents", "ask_fee", "ask_duration", "ask_agency", "ask_steps", "ask_online"]
    titles = [b["title"] for b in buttons]
    assert titles == ["Giấy tờ cần nộp", "Lệ phí", "Thời gian", "Nơi nộp", "Các bước", "Nộp trực tuyến"]


def test_answer_buttons_offer_the_other_attributes(national):
    buttons = answer(national["1.001456"], "ask_fee").buttons
    payloads = [b["payload"] for b in buttons]
    assert procedure_payload("ask_fee", "1.001456") not in payloads
    assert procedure_payload("ask_documents", "1.001456") in payloads


def test_procedure_payload():
    assert procedure_payload("ask_fee", "1.001456") == '/ask_fee{"procedure_code":"1.001456"}'
    assert procedure_payload("ask_procedure", "1.001456") == '/ask_procedure{"procedure_code":"1.001456"}'
    with pytest.raises(ValueError):
        procedure_payload("greet", "1.001456")


def test_unknown_intent_is_an_error(national):
    with pytest.raises(ValueError):
        answer(national["1.001456"], "ask_weather")


def test_choose_gives_one_button_per_procedure(national):
    first, second = national["1.001456"], national["1.004194"]
    result = choose([first, second], "ask_fee")
    assert "Bạn muốn hỏi thủ tục nào?" in result.text
    assert len(result.buttons) == 2
    assert [b["payload"] for b in result.buttons] == [
        procedure_payload("ask_fee", first.code),
        procedure_payload("ask_fee", second.code),
    ]
    assert result.buttons[0]["title"] == first.name


def test_choose_asks_where_when_the_same_procedure_is_at_two_levels(national):
    same = [national["1.002359"], national["2.000281"]]  # same name, provincial and central
    assert same[0].name == same[1].name
    result = choose(same, "ask_documents")
    assert result.text == "Bạn nộp hồ sơ ở tỉnh hay ở trung ương?"
    assert [b["title"] for b in result.buttons] == ["Ở tỉnh", "Ở trung ương (Bộ)"]
    assert [b["payload"] for b in result.buttons] == [procedure_payload("ask_documents", p.code) for p in same]


def test_choose_tells_apart_names_that_are_equal_once_cut():
    prefix = "Cấp giấy phép hoạt động cho cơ sở kinh doanh dịch vụ có điều kiện thuộc lĩnh vực quản lý "
    provincial = _sample_procedure(code="1.000001", name=prefix + "của Sở", levels=["provincial"])
    commune = _sample_procedure(code="1.000002", name=prefix + "của xã", levels=["commune"])
    titles = [b["title"] for b in choose([provincial, commune], "ask_fee").buttons]
    assert titles == ["Ở tỉnh", "Ở xã, phường"]  # same procedure at two levels: asked where
    same = _sample_procedure(code="1.000003", name=prefix + "của Sở", levels=["provincial"])
    titles = [b["title"] for b in choose([provincial, same], "ask_fee").buttons]
    assert titles[0] != titles[1] and titles[1].endswith("1.000003")


def test_the_first_line_names_the_level_unless_the_name_does(national):
    assert answer(national["1.002359"], "ask_fee").text.splitlines()[0].endswith("(cấp tỉnh)")
    assert answer(national["1.001456"], "ask_fee").text.splitlines()[0].endswith("(thực hiện tại cấp tỉnh)”")


def test_choose_keeps_at_most_five_distinct_procedures(national):
    codes = sorted(national)[:8]
    procedures = [national[code] for code in codes] + [national[codes[0]]]
    result = choose(procedures, "ask_procedure")
    assert len(result.buttons) == 5
    assert len({b["payload"] for b in result.buttons}) == 5
    assert all(len(b["title"]) <= 80 + 40 for b in result.buttons)


def test_choose_with_nothing_to_choose():
    assert choose([], "ask_fee").buttons == []


def test_imported_records_say_when_their_data_was_taken_not_the_import_day(national):
    passport = national["1.001456"]  # Bộ Công an group, crawled by 10/06/2026; imported on CHECKED
    assert passport.taken == dt.date(2026, 6, 10) and passport.checked != passport.taken
    line = answer(passport, "ask_fee").text.splitlines()[-1]
    assert line.endswith("(dữ liệu lấy từ nguồn ngày 10/06/2026)")
    assert f"{passport.checked:%d/%m/%Y}" not in line

