"""Tests for bot/nlu/vietnamese_tokenizer.py: offsets, compounds, lexicon, edge cases."""
import unicodedata
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.vietnamese_text import fold, nfc
from bot.nlu.vietnamese_tokenizer import VietnameseTokenizer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    return LocalModelStorage(tmp_path_factory.mktemp("storage"))


@pytest.fixture(scope="module")
def tokenizer(storage):
    """A tokenizer trained on the project's NLU data, as during `rasa train`."""
    resource = Resource("tokenizer")
    component = VietnameseTokenizer.create(
        VietnameseTokenizer.get_default_config(), storage, resource,
        ExecutionContext(GraphSchema({}), "test"),
    )
    component.train(load_data(str(ROOT / "data" / "nlu")))
    return component


def tokens_of(tokenizer, text):
    return tokenizer.tokenize(Message({"text": text}), "text")


def assert_offsets_index_the_original(text, tokens):
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text)
        original = text[token.start : token.end]
        # Same letters as the token, whatever underthesea normalised.
        assert fold(nfc(original)).replace(" ", "") == fold(token.text).replace("_", "").replace(" ", "")
    starts = [t.start for t in tokens]
    assert starts == sorted(starts)
    for left, right in zip(tokens, tokens[1:]):
        assert left.end <= right.start


@pytest.mark.parametrize(
    "text",
    [
        "Làm căn cước công dân cần giấy tờ gì?",
        "lam can cuoc cong dan can giay to gi",
        unicodedata.normalize("NFD", "Đăng ký kết hôn ở xã Hoà Bình mất bao lâu?"),
        "ko bít thủ tuc lamf sổ đỏ ntn ạ",
        "Thủ tục đăng ký khai sinh online 😀😀 =))",
        "hồ sơ 000.00.20.H37 - 251114 - 0123 đến đâu rồi",
        "CCCD 001203004567, sđt 0912.345.678, xem https://dichvucong.gov.vn/p/home",
        "Cho mình hỏi visa và passport khác nhau thế nào, Bộ Ngoại giao hay Công an cấp?",
        "  khoảng   trắng\tthừa\n\nxuống dòng  ",
    ],
)
def test_offsets_always_index_the_original_message(tokenizer, text):
    tokens = tokens_of(tokenizer, text)
    assert tokens
    assert_offsets_index_the_original(text, tokens)


def test_multi_syllable_words_keep_their_compound(tokenizer):
    text = "Xin cấp giấy phép xây dựng nhà ở"
    tokens = tokens_of(tokenizer, text)
    by_text = {t.text: t for t in tokens}
    assert "giấy_phép_xây_dựng" in by_text
    token = by_text["giấy_phép_xây_dựng"]
    assert text[token.start : token.end] == "giấy phép xây dựng"


@pytest.mark.parametrize(
    "accented, unaccented",
    [
        ("lệ phí cấp hộ chiếu bao nhiêu", "le phi cap ho chieu bao nhieu"),
        ("giấy chứng nhận quyền sử dụng đất", "giay chung nhan quyen su dung dat"),
        ("đăng ký tạm trú ở đâu", "dang ky tam tru o dau"),
        ("hoà giải", "hòa giải"),
    ],
)
def test_unaccented_text_gets_the_same_lemmas_as_accented(tokenizer, accented, unaccented):
    assert [t.lemma for t in tokens_of(tokenizer, accented)] == [
        t.lemma for t in tokens_of(tokenizer, unaccented)
    ]


@pytest.mark.parametrize(
    "shorthand, meaning",
    [
        ("CCCD", "căn cước công dân"),
        ("bằng lái", "giấy phép lái xe"),
        ("gplx", "giấy phép lái xe"),
        ("ko", "không"),
        ("dc", "được"),
        ("sổ đỏ", "giấy chứng nhận quyền sử dụng đất"),
    ],
)
def test_shorthand_lemma_is_what_it_means(tokenizer, shorthand, meaning):
    (token,) = tokens_of(tokenizer, shorthand)
    assert token.lemma == fold(meaning).replace(" ", "_")


def test_telex_leftover_is_repaired_in_the_lemma(tokenizer):
    tokens = tokens_of(tokenizer, "thu tuc lamf ho chieu")
    assert [t.lemma for t in tokens][1] == "lam"


def test_domain_terms_stay_one_token(tokenizer):
    for term in ["căn cước", "hộ chiếu", "giấy khai sinh", "quyền sử dụng đất"]:
        tokens = tokens_of(tokenizer, f"hỏi về {term} nhé")
        assert any(t.text.replace("_", " ") == term for t in tokens), term


def test_empty_text_gives_no_tokens(tokenizer):
    assert tokens_of(tokenizer, "") == []
    assert tokens_of(tokenizer, "   ") == []


@pytest.mark.parametrize("text", ["=))", "😀😀😀", "???", ":) :("])
def test_only_emoji_or_punctuation_is_one_token(tokenizer, text):
    (token,) = tokens_of(tokenizer, text)
    assert (token.start, token.end) == (0, len(text.strip()))


def test_special_spans_are_single_tokens_with_class_lemmas(tokenizer):
    text = "mã 000.00.20.h37-251114-0123, cccd 001203004567, https://dichvucong.gov.vn"
    tokens = tokens_of(tokenizer, text)
    lemmas = {text[t.start : t.end]: t.lemma for t in tokens}
    assert lemmas["000.00.20.h37-251114-0123"] == "__dossier_code__"
    assert lemmas["001203004567"] == "__number__"
    assert lemmas["https://dichvucong.gov.vn"] == "__url__"


def test_ten_thousand_characters_are_read_up_to_the_cap(tokenizer):
    """Every path into the NLU is bounded: only the first MAX_TOKENIZED_CHARS are segmented."""
    from bot.nlu.vietnamese_tokenizer import MAX_TOKENIZED_CHARS

    text = ("cho em hỏi lệ phí cấp hộ chiếu bao nhiêu ạ, " * 300)[:10_000]
    tokens = tokens_of(tokenizer, text)
    assert len(tokens) > 200
    assert max(token.end for token in tokens) <= MAX_TOKENIZED_CHARS < len(text)
    assert_offsets_index_the_original(text, tokens)


def test_binary_and_control_characters_do_not_crash(tokenizer):
    text = "\x00\x01hồ sơ\ufffd\u200b của tôi\x7f"
    assert_offsets_index_the_original(text, tokens_of(tokenizer, text))


def test_lexicon_is_stored_with_the_model_and_loaded_back(tokenizer, storage):
    loaded = VietnameseTokenizer.load(
        VietnameseTokenizer.get_default_config(), storage, Resource("tokenizer"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    assert loaded.lexicon.phrases == tokenizer.lexicon.phrases
    text = "le phi lam bang lai"
    assert [t.lemma for t in tokens_of(loaded, text)] == [t.lemma for t in tokens_of(tokenizer, text)]


def test_untrained_tokenizer_still_tokenizes():
    plain = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    tokens = tokens_of(plain, "Làm hộ chiếu ở đâu")
    assert [t.text for t in tokens][:2] == ["Làm", "hộ_chiếu"]
