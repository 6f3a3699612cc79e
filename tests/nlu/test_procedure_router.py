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


BIRTH_STORY = (
    "Năm ngoái vợ chồng tôi chuyển từ Hà Nội lên Lạng Sơn làm ăn, thuê nhà ở gần chợ Đông Kinh. "
    "Tháng trước vợ tôi sinh được một bé gái ở bệnh viện tỉnh, mẹ tròn con vuông, ông bà hai bên "
    "đều mừng lắm. Giờ tôi muốn làm giấy khai sinh cho cháu thì cần mang những giấy tờ gì ạ?"
)


def test_a_long_story_is_answered_from_the_sentence_that_asks(router):
    # Context words pull the coverage of the whole message under rule 2's gate; the search reads
    # the sentence that asks and is sure of the procedure.
    assert len(BIRTH_STORY.split()) >= 30
    msg = message(BIRTH_STORY, [("out_of_scope", 0.41), ("inform", 0.3), ("ask_documents", 0.15), ("deny", 0.14)])
    assert router.route(msg) == "ask_documents"


def test_a_long_story_the_classifier_was_unsure_about_is_routed_too(router):
    msg = message(BIRTH_STORY, [("inform", 0.35), ("request_human", 0.33), ("ask_procedure", 0.2), ("deny", 0.12)])
    assert router.route(msg) == "ask_documents"


@pytest.mark.parametrize(
    "text, ranking",
    [
        # A long story about nothing the catalogue names.
        (
            "Sáng nay trời mưa to quá, đường từ nhà tôi ra chợ ngập hết cả, xe máy chết máy giữa đường "
            "phải dắt bộ mấy cây số, về đến nhà thì ướt sũng. Chiều nay còn phải đón con ở trường nữa. "
            "Bạn có biết mai trời còn mưa nữa không?",
            [("out_of_scope", 0.45), ("inform", 0.3), ("ask_procedure", 0.25)],
        ),
        # A long question about a dossier's progress keeps the dossier path.
        (
            "Tôi nộp hồ sơ đăng ký khai sinh cho con từ đầu tháng trước ở bộ phận một cửa của xã, "
            "cán bộ hẹn hai tuần là có kết quả mà đến giờ vẫn chưa thấy ai gọi. Cho tôi hỏi hồ sơ "
            "của tôi đến đâu rồi, bao giờ thì xong ạ?",
            [("lookup_dossier", 0.45), ("ask_duration", 0.3), ("ask_procedure", 0.25)],
        ),
        # A greeting followed by a story is still a greeting first.
        (
            "Xin chào, tôi mới dùng thử trợ lý này lần đầu, nghe mấy người hàng xóm bảo có thể hỏi "
            "về thủ tục đăng ký khai sinh, đăng ký kết hôn, làm căn cước mà không phải lên tận xã, "
            "tiện quá nên tôi vào chào một câu.",
            [("greet", 0.45), ("ask_capabilities", 0.3), ("ask_procedure", 0.25)],
        ),
    ],
)
def test_long_messages_that_do_not_ask_for_a_procedure_keep_their_path(router, text, ranking):
    assert len(text.split()) >= 30
    assert router.route(message(text, ranking)) is None


def test_a_civil_servants_question_about_processing_stays_internal(router):
    # "thụ lý", "cán bộ": how staff handle the dossier (issue 15), not what the citizen must bring.
    msg = message("phân công thụ lý đăng ký kết hôn", [("ask_internal_process", 0.9), ("ask_steps", 0.1)])
    assert router.route(msg) is None
    citizen = message("đăng ký kết hôn với người nước ngoài", [("ask_internal_process", 0.9), ("ask_steps", 0.1)])
    assert router.route(citizen) == "ask_procedure"
