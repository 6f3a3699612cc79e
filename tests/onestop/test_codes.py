"""Tests for actions/onestop/codes.py: codes and phone digits as citizens type them."""
import os

import pytest

from actions.onestop.codes import read_dossier_code, read_phone_last_digits

CODE = "000.00.20.H37-251114-0123"


@pytest.mark.parametrize(
    "text",
    [
        CODE,
        "000.00.20.h37-251114-0123",
        "000.00.20.H37 - 251114 - 0123",
        "000.00.20.H37 251114 0123",
        "000.00.20.H372511140123",
        "000.00.20.H37-2511140123",
        "000 00 20 H37-251114-0123",
        "cho hỏi hồ sơ 000.00.20.h37 -251114- 0123 đến đâu rồi ạ",
        "/lookup_dossier{\"dossier_code\": \"000.00.20.H37-251114-0123\"}",
        "０００.００.２０.Ｈ３７-２５１１１４-０１２３",  # full-width digits from some phone keyboards
    ],
)
def test_codes_are_normalised(text):
    assert read_dossier_code(text).code == CODE


@pytest.mark.parametrize(
    "text",
    [
        "000.00.20.H37-251114-123",  # sequence too short
        "000.00.20.H37-251314-0123",  # month 13
        "000.00.20-251114-0123",  # no office part
        "00.00.20.H37-251114-0123",  # agency too short: not fixable
        "000.00.20.H37-251114-01234",  # sequence too long
    ],
)
def test_malformed_codes_are_recognised_as_attempts(text):
    reading = read_dossier_code(text)
    assert reading.code is None
    assert reading.attempted


@pytest.mark.parametrize("text", ["", "   ", "tra cứu hồ sơ", "hồ sơ của tôi đến đâu rồi", "😀", None, 42, b"\x00\xff"])
def test_no_code_and_no_attempt(text):
    reading = read_dossier_code(text)
    assert reading.code is None
    assert not reading.attempted


@pytest.mark.parametrize(
    "text",
    ["٠٠٠.٠٠.٢٠.H٣٧-٢٥١١١٤-٠١٢٣", "' OR 1=1 --", "'; DROP TABLE dossiers; --", "<script>alert(1)</script>", "x" * 10_000,
     os.urandom(64).decode("latin-1"), "000.00.20.H37-251114-0123' OR '1'='1"[:0] + "%00"],
)
def test_hostile_input_never_yields_a_code(text):
    assert read_dossier_code(text).code is None


def test_a_code_inside_a_huge_message_is_not_searched_for():
    assert read_dossier_code("a" * 10_000 + CODE).code is None


@pytest.mark.parametrize(
    "text, digits",
    [
        ("5678", "5678"),
        ("số cuối là 5678 ạ", "5678"),
        ("4 số cuối là 5678", "5678"),
        ("0912345678", "5678"),
        ("0912 345 678", "5678"),
        ("0912.345.678", "5678"),
        ("+84 912 345 678", "5678"),
        ("sđt của em 0912-345-678", "5678"),
        ("４５６７", "4567"),
    ],
)
def test_phone_digits(text, digits):
    assert read_phone_last_digits(text) == digits


@pytest.mark.parametrize("text", ["", "٥٦٧٨", "०९१२३४५६७८", "567", "56789", "12 34", "5678 hoặc 1234", "123 5678", "không nhớ", "1234 5678", None, "9" * 10_000, CODE])
def test_not_phone_digits(text):
    assert read_phone_last_digits(text) is None
