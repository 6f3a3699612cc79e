"""The trained model parses real messages, with and without diacritics, to the right intent."""
import pytest

CASES = [
    ("chào em", "greet"),
    ("xin chao ad", "greet"),
    ("cảm ơn bạn nhiều nhé", "thank"),
    ("thanks ad nha", "thank"),
    ("thôi chào nhé, hẹn gặp lại", "goodbye"),
    ("bạn là người thật hay máy vậy", "bot_challenge"),
    ("ban co the giup toi nhung viec gi", "ask_capabilities"),
    ("đúng vậy", "affirm"),
    ("không phải", "deny"),
    ("muốn làm hộ chiếu thì làm thế nào", "ask_procedure"),
    ("làm căn cước cho con cần mang giấy tờ gì", "ask_documents"),
    ("lam can cuoc cho con can mang giay to gi", "ask_documents"),
    ("tải mẫu tờ khai đăng ký kết hôn ở đâu", "ask_forms"),
    ("mau to khai dang ky ket hon tai o dau", "ask_forms"),
    ("đăng ký kết hôn mất phí bao nhiêu", "ask_fee"),
    ("le phi cap ho chieu bn tien", "ask_fee"),
    ("đổi bằng lái xe bao lâu thì có", "ask_duration"),
    ("doi gplx mat may ngay", "ask_duration"),
    ("đăng ký tạm trú nộp hồ sơ ở cơ quan nào", "ask_agency"),
    ("các bước làm thủ tục sang tên sổ đỏ", "ask_steps"),
    ("cac buoc lam thu tuc sang ten so do", "ask_steps"),
    ("điều kiện để được hưởng trợ cấp thất nghiệp là gì", "ask_conditions"),
    ("làm xong khai sinh thì được nhận giấy gì", "ask_result"),
    ("có nộp hồ sơ đăng ký kinh doanh online được không", "ask_online"),
    ("co nop ho so dang ky kinh doanh qua mang dc ko", "ask_online"),
    ("thủ tục cấp phiếu lý lịch tư pháp căn cứ vào văn bản pháp luật nào", "ask_legal_basis"),
    ("hồ sơ của tôi đến đâu rồi", "lookup_dossier"),
    ("ho so 000.00.20.H37-251114-0123 xong chua", "lookup_dossier"),
    ("cho tôi số điện thoại tổng đài để gặp cán bộ", "request_human"),
    ("cho gap can bo", "request_human"),
    ("quy trình nội bộ chuyển hồ sơ từ bộ phận một cửa sang phòng chuyên môn", "ask_internal_process"),
    ("hôm nay thời tiết Lạng Sơn thế nào", "out_of_scope"),
    ("ke chuyen cuoi di", "out_of_scope"),
]


@pytest.mark.parametrize("text, intent", CASES)
def test_message_goes_to_the_right_intent(parse, text, intent):
    result = parse(text)
    ranking = [r["name"] for r in result["intent_ranking"]]
    assert result["intent"]["name"] == intent, ranking[:3]


def test_accuracy_on_the_whole_list_is_high(parse):
    correct = sum(parse(text)["intent"]["name"] == intent for text, intent in CASES)
    assert correct / len(CASES) >= 0.9


@pytest.mark.parametrize(
    "text, code",
    [
        ("tra cứu hồ sơ 000.00.20.H37-251114-0123", "000.00.20.H37-251114-0123"),
        ("ma ho so 000.00.20.h37-251114-0123 nhe", "000.00.20.h37-251114-0123"),
        ("hồ sơ 000.00.20.H37 - 251114 - 0123 đến đâu rồi", "000.00.20.H37 - 251114 - 0123"),
        ("hồ sơ 000.00.20.h37 251114 0123 xong chưa", "000.00.20.h37 251114 0123"),
    ],
)
def test_dossier_code_is_extracted_with_spaces_and_lower_case(parse, text, code):
    result = parse(text)
    entities = [e for e in result["entities"] if e["entity"] == "dossier_code"]
    assert len(entities) == 1
    assert text[entities[0]["start"] : entities[0]["end"]] == code
    # The value is the code as printed on the receipt, whatever the citizen typed.
    assert entities[0]["value"] == "000.00.20.H37-251114-0123"
    assert result["intent"]["name"] == "lookup_dossier"


@pytest.mark.parametrize("text", ["asdkj qweoiu zxcmn", "=))", "😀", "", "x" * 5000])
def test_nonsense_does_not_get_a_confident_intent(parse, text):
    result = parse(text)
    name = (result.get("intent") or {}).get("name")
    assert name in (None, "nlu_fallback", "out_of_scope")
