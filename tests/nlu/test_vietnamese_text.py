"""Tests for bot/nlu/vietnamese_text.py."""
import unicodedata

import pytest

from bot.nlu.vietnamese_text import (
    fold,
    folded_key_map,
    has_diacritics,
    nfc,
    special_spans,
    syllables,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐƯỜNG", "duong"),
        ("hoà", "hoa"),
        ("hòa", "hoa"),
        (unicodedata.normalize("NFD", "Nguyễn Thị Ánh"), "nguyen thi anh"),
        ("", ""),
        ("abc 123", "abc 123"),
    ],
)
def test_fold_strips_every_diacritic_including_d_bar(text, expected):
    assert fold(text) == expected


def test_has_diacritics():
    assert has_diacritics("lệ phí")
    assert has_diacritics("đi")
    assert not has_diacritics("le phi")
    assert not has_diacritics("")
    assert not has_diacritics("=)) 😀")


def test_folded_key_map_points_back_into_the_original():
    text = unicodedata.normalize("NFD", "Hoà Bình")
    key, positions = folded_key_map(text)
    assert key == "hoa binh"
    assert len(positions) == len(key)
    assert text[positions[key.index("binh")]] == "B"


def test_nfc_composes():
    assert nfc(unicodedata.normalize("NFD", "hoà")) == "hoà"


def test_syllables_keep_combining_marks_inside():
    text = unicodedata.normalize("NFD", "giấy tờ")
    found = [(text[s:e], s, e) for _, s, e in syllables(text)]
    assert [nfc(t) for t, _, _ in found] == ["giấy", "tờ"]


@pytest.mark.parametrize(
    "text, kind, span",
    [
        ("hồ sơ 000.00.20.H37-251114-0123 ạ", "dossier_code", "000.00.20.H37-251114-0123"),
        ("mã 000.00.20.h37 - 251114 - 0123", "dossier_code", "000.00.20.h37 - 251114 - 0123"),
        ("cccd 001203004567 nhé", "number", "001203004567"),
        ("gọi 0912.345.678", "number", "0912.345.678"),
        ("xem https://dichvucong.gov.vn/p/home/dvc-tthc.html nhé", "url", "https://dichvucong.gov.vn/p/home/dvc-tthc.html"),
        ("gửi a.b@langson.gov.vn", "email", "a.b@langson.gov.vn"),
    ],
)
def test_special_spans(text, kind, span):
    found = [(k, text[s:e]) for k, s, e in special_spans(text)]
    assert (kind, span) in found


def test_number_inside_a_word_is_not_special():
    assert list(special_spans("H37 và 5tr")) == []
