"""Asking what tells close procedures apart (actions/procedures/clarify.py) over real records."""
import pytest

from actions.procedures.catalogue import load
from actions.procedures.clarify import clarify, kind_of, siblings
from actions.procedures.answers import choose, procedure_payload
from actions.procedures.catalogue import DEFAULT_PATH


@pytest.fixture(scope="module")
def shipped():
    return {procedure.code: procedure for procedure in load(DEFAULT_PATH)}


def test_first_time_again_and_change_are_asked_as_one_question(shipped):
    # Cấp thẻ căn cước (14 tuổi), Cấp lại thẻ căn cước, Cấp đổi thẻ căn cước (all provincial)
    cards = [shipped["1.014061"], shipped["2.001194"], shipped["2.001195"]]
    assert [kind_of(card)[0] for card in cards] == ["first", "again", "change"]
    result = clarify(cards)
    assert result.question == "Bạn cần làm lần đầu, làm lại vì mất, hỏng hay đổi hoặc sửa thông tin?"
    assert result.titles == ["Làm lần đầu", "Làm lại (mất, hỏng)", "Đổi, sửa thông tin"]


def test_the_buttons_choose_the_procedures(shipped):
    licences = [shipped["3.000348"], shipped["3.000347"]]  # Cấp lại / Đổi giấy phép lái xe
    reply = choose(licences, "ask_fee")
    assert reply.text == "Bạn cần làm lại vì mất, hỏng hay đổi hoặc sửa thông tin?"
    assert [button["payload"] for button in reply.buttons] == [procedure_payload("ask_fee", p.code) for p in licences]
    assert all(len(button["title"]) <= 25 for button in reply.buttons)


def test_the_same_procedure_at_two_levels_is_asked_where(shipped):
    # Cấp lại thẻ căn cước at commune (1.014064) and at provincial level (2.001194)
    result = clarify([shipped["1.014064"], shipped["2.001194"]])
    assert result.question == "Bạn nộp hồ sơ ở xã, phường hay ở tỉnh?"
    assert result.titles == ["Ở xã, phường", "Ở tỉnh"]


def test_unrelated_procedures_are_not_siblings(shipped):
    passport, residence = shipped["1.001456"], shipped["1.004194"]
    assert not siblings([passport, residence])
    assert clarify([passport, residence]) is None
    reply = choose([passport, residence], "ask_fee")
    assert [button["title"] for button in reply.buttons] == [passport.name, residence.name]


def test_one_procedure_needs_no_question(shipped):
    assert clarify([shipped["1.004194"]]) is None
