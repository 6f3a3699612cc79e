"""Tests for actions/procedures/conversation.py: the procedure thread of a conversation, on the
national records (follow-ups stay, typed picks among choices, going back, siblings, new topics)."""
from __future__ import annotations

from typing import List, Tuple

import pytest

from actions.onestop.next_step import asks_what_now, next_step_response
from actions.procedures.answers import answer_parts
from actions.procedures.attributes import attribute_intents
from actions.procedures.conversation import ProcedureState, resolve
from actions.procedures.knowledge import outside_topic
from actions.procedures.search import normalize


def play(search, catalogue, turns: List[str]) -> List[Tuple[str, object]]:
    """Resolve each message in turn, updating the state as the action does."""
    state, seen = ProcedureState(), []
    for text in turns:
        resolution = resolve(search, catalogue, text, state)
        if resolution.procedure is not None:
            state = state.answered(resolution.procedure.code, "ask_procedure")
            seen.append((resolution.kind, resolution.procedure.code))
        elif resolution.choices:
            state = state.offered([p.code for p in resolution.choices], "ask_procedure")
            seen.append((resolution.kind, [p.code for p in resolution.choices]))
        else:
            seen.append((resolution.kind, None))
    return seen


def test_a_leftover_word_does_not_leave_the_procedure(national_search, national_by_code):
    seen = play(national_search, national_by_code, ["đổi giấy phép lái xe", "bao lâu có bằng", "có phải đi lại nhiều lần ko"])
    assert seen == [("new", "3.000347"), ("follow_up", "3.000347"), ("follow_up", "3.000347")]


def test_a_sibling_is_found_from_the_current_procedure(national_search, national_by_code):
    seen = play(national_search, national_by_code, ["đổi giấy phép lái xe", "thế còn cấp lại thì sao?"])
    assert seen[1] == ("sibling", "3.000348")


def test_follow_ups_while_choosing_keep_the_choices_and_a_typed_pick_chooses(national_search, national_by_code):
    seen = play(national_search, national_by_code, ["cấp lại thẻ căn cước", "mấy ngày thì có", "cái thứ hai", "lệ phí bn"])
    assert seen[0][0] == "choices" and seen[1] == seen[0]  # the same choices, asked again
    assert seen[2] == ("picked", seen[0][1][1])
    assert seen[3] == ("follow_up", seen[0][1][1])


def test_a_kind_typed_among_choices_picks_it(national_search, national_by_code):
    seen = play(national_search, national_by_code, ["làm căn cước", "cấp lại vì mất"])
    assert seen[1][0] == "picked"
    assert national_by_code[seen[1][1]].name.startswith("Cấp lại thẻ căn cước")


def test_a_clearly_named_procedure_switches_and_back_returns(national_search, national_by_code):
    seen = play(national_search, national_by_code,
                ["đăng ký khai sinh cho con", "à còn đăng ký kết hôn thì sao", "quay lại khai sinh lúc nãy, lệ phí bao nhiêu"])
    assert seen == [("new", "1.001193"), ("new", "1.000894"), ("back", "1.001193")]


def test_state_keeps_history_without_repeats():
    state = ProcedureState().answered("1.000001", "ask_fee").answered("1.000002", "ask_fee").answered("1.000001", "ask_fee")
    assert state.current == "1.000001" and state.history == ["1.000002"]
    assert ProcedureState.from_slots({"procedure_history": "not a list", "procedure_code": 5}.get) == ProcedureState()


@pytest.mark.parametrize("text, expected", [
    ("hồ sơ gì và nộp ở đâu", ["ask_documents", "ask_agency"]),
    ("bao nhiêu tiền, mấy ngày có", ["ask_fee", "ask_duration"]),
    ("phí bn vs nộp ở đâu", ["ask_fee", "ask_agency"]),
    ("làm online dc ko", ["ask_online"]),
    ("cần giấy tờ gì", ["ask_documents"]),
])
def test_every_part_of_a_question_is_read(text, expected):
    assert attribute_intents(text) == expected


def test_a_two_part_answer_has_both_parts(national_by_code):
    text = answer_parts(national_by_code["1.001193"], ["ask_documents", "ask_agency"]).text
    assert "Hồ sơ" in text and "cơ quan thực hiện" in text.lower() and text.splitlines()[-1].startswith("Nguồn:")


@pytest.mark.parametrize("text, topic", [
    ("ly hôn thì nộp đơn ở đâu", "divorce_in_court"),
    ("vay ngân hàng cần giấy tờ gì", "bank_loan"),
    ("ghi vào sổ hộ tịch việc ly hôn đã giải quyết ở nước ngoài", None),
    ("đăng ký thế chấp quyền sử dụng đất để vay ngân hàng", None),
    ("nộp hồ sơ qua internet được không", None),
])
def test_questions_outside_the_procedures_are_recognised(text, topic):
    found = outside_topic(normalize(text))
    assert (found.name if found else None) == topic


def test_what_now_is_answered_from_the_kept_status_only():
    assert asks_what_now("vậy giờ tôi phải làm gì tiếp theo?") and asks_what_now("thế phải bổ sung gì")
    assert not asks_what_now("cảm ơn bạn")
    step = next_step_response({"procedure": "1.013831", "status": 5, "unit": "UBND phường Đông Kinh", "due": "20/01/2026"})
    assert step == {"response": "utter_dossier_next_step_5", "unit": "UBND phường Đông Kinh", "due": "20/01/2026"}
    assert next_step_response({"status": "5"}) is None and next_step_response("verified") is None


def test_an_answer_that_adds_nothing_does_not_refine_the_choices(national_search, national_by_code):
    state = ProcedureState().offered(["2.001194", "1.014064"], "ask_documents")
    resolution = resolve(national_search, national_by_code, "mấy ngày thì có", state, "cấp lại thẻ căn cước cần giấy tờ gì")
    assert resolution.kind == "choices" and [p.code for p in resolution.choices] == ["2.001194", "1.014064"]


def test_a_court_procedure_of_the_catalogue_is_not_taken_for_an_outside_matter(national_search):
    from types import SimpleNamespace

    from actions.procedure_actions import _names_a_procedure

    service = SimpleNamespace(engine=national_search)
    assert outside_topic(normalize("ly hôn thì nộp đơn ở đâu")) is not None
    assert not _names_a_procedure(service, "ly hôn thì nộp đơn ở đâu")
    assert _names_a_procedure(service, "xin bản sao bản án ly hôn ở tòa ntn ạ")  # 3.000165, a court's procedure
