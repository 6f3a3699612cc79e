"""bot/nlu/procedure_router.py: procedure questions the classifier missed still reach the catalogue."""
from typing import List, Tuple

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.procedure_router import ProcedureRouter


def message(text: str, ranking: List[Tuple[str, float]]) -> Message:
    msg = Message(data={"text": text})
    msg.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    msg.set("intent_ranking", [{"name": name, "confidence": confidence} for name, confidence in ranking])
    return msg


@pytest.fixture(scope="module")
def router():
    return ProcedureRouter({})


def test_confidence_spread_over_procedure_intents_is_a_procedure_question(router):
    # Each procedure intent is below the fallback threshold; together they are sure.
    msg = message("giấy phép lái xe bị nhòe ảnh", [("ask_conditions", 0.28), ("ask_procedure", 0.25), ("deny", 0.2), ("ask_result", 0.17)])
    assert router.route(msg) == "ask_procedure"  # no attribute word: the overview
    assert msg.get("intent") == {"name": "ask_procedure", "confidence": 1.0}
    assert [item["name"] for item in msg.get("intent_ranking")][:2] == ["ask_procedure", "ask_conditions"]


def test_the_attribute_comes_from_the_words_when_the_classifier_is_unsure(router):
    msg = message("đổi bằng lái thì lệ phí thế nào", [("ask_duration", 0.4), ("ask_fee", 0.3), ("greet", 0.3)])
    assert router.route(msg) == "ask_fee"


def test_a_confident_classifier_keeps_its_attribute(router):
    msg = message("đổi bằng lái ở đâu", [("ask_agency", 0.97), ("ask_fee", 0.02)])
    assert router.route(msg) == "ask_agency"


def test_a_procedure_named_in_an_out_of_scope_message_is_answered(router):
    msg = message("đăng ký khai tử cho ông nội", [("out_of_scope", 0.9), ("deny", 0.05), ("ask_procedure", 0.05)])
    assert router.route(msg) == "ask_procedure"


@pytest.mark.parametrize(
    "text, ranking",
    [
        ("chào bạn", [("greet", 0.99), ("ask_procedure", 0.01)]),
        ("xin chào ạ", [("greet", 0.6), ("out_of_scope", 0.4)]),
        ("tạm biệt", [("goodbye", 0.95), ("ask_procedure", 0.05)]),
        ("cảm ơn nhé", [("thank", 0.98), ("ask_fee", 0.02)]),
        ("bạn hỗ trợ những gì", [("ask_capabilities", 0.9), ("ask_procedure", 0.1)]),
        ("hồ sơ đăng ký hộ kinh doanh của tôi đến đâu rồi", [("lookup_dossier", 0.8), ("ask_procedure", 0.2)]),
        ("số cuối 7890", [("inform", 0.9), ("ask_procedure", 0.1)]),
        ("hôm nay thời tiết thế nào", [("out_of_scope", 0.95), ("ask_procedure", 0.05)]),
        ("", [("nlu_fallback", 0.0)]),
    ],
)
def test_small_talk_dossier_lookups_and_out_of_scope_keep_their_path(router, text, ranking):
    msg = message(text, ranking)
    assert router.route(msg) is None
    assert msg.get("intent")["name"] == ranking[0][0]


def test_a_message_without_ranking_is_left_alone(router):
    msg = Message(data={"text": "đăng ký tạm trú"})
    assert router.route(msg) is None


def test_a_near_tie_between_attributes_keeps_the_classifiers_choice_without_falling_back(router):
    msg = message("mẫu đơn đăng ký khai sinh", [("ask_documents", 0.52), ("ask_forms", 0.47), ("greet", 0.01)])
    assert router.route(msg) == "ask_documents"
    assert msg.get("intent") == {"name": "ask_documents", "confidence": 1.0}
