"""Which attribute a message asks for, read from its words (actions/procedures/attributes.py)."""
import unicodedata

import pytest

from actions.procedures.attributes import PROCEDURE_INTENTS, attribute_intent


@pytest.mark.parametrize(
    "text, intent",
    [
        ("làm hộ chiếu hết bao nhiêu tiền", "ask_fee"),
        ("le phi dang ky ket hon", "ask_fee"),
        ("đăng ký kết hôn có mất phí không", "ask_fee"),
        ("đổi bằng lái mất mấy ngày", "ask_duration"),
        ("bao giờ thì có kết quả sổ đỏ", "ask_duration"),
        ("làm căn cước cho con cần giấy tờ gì", "ask_documents"),
        ("xin mẫu tờ khai đăng ký tạm trú", "ask_forms"),
        ("đăng ký thường trú nộp ở đâu", "ask_agency"),
        ("các bước sang tên sổ đỏ", "ask_steps"),
        ("điều kiện hưởng trợ cấp thất nghiệp", "ask_conditions"),
        ("có nộp online được không", "ask_online"),
        ("căn cứ pháp lý của thủ tục khai sinh", "ask_legal_basis"),
        ("làm xong được cấp giấy gì", "ask_result"),
    ],
)
def test_attribute_words_name_the_attribute(text, intent):
    assert attribute_intent(text) == intent
    assert intent in PROCEDURE_INTENTS


@pytest.mark.parametrize("text", ["đăng ký khai sinh", "làm hộ chiếu", "", "   ", "🙂", "sổ đỏ"])
def test_no_attribute_words_means_the_overview(text):
    assert attribute_intent(text) is None


def test_decomposed_accents_and_case_do_not_matter():
    decomposed = unicodedata.normalize("NFD", "LỆ PHÍ làm hộ chiếu")
    assert attribute_intent(decomposed) == "ask_fee"


def test_words_inside_other_words_are_not_cues():
    # "phí" alone is part of many names ("lệ phí trước bạ"); "tiền" of "tiền sử dụng đất".
    assert attribute_intent("khai tiền sử dụng đất") is None
