"""The dossier model: the national synchronisation format, validated."""
import datetime as dt

import pytest
from pydantic import ValidationError

from actions.onestop.model import STATUS_LABELS, Dossier, parse_timestamp
from tests.onestop.conftest import dossier


def test_a_dossier_in_the_national_format_is_read():
    record = Dossier.parse_obj(dossier())
    assert record.MaHoSo == "000.00.20.H37-251114-0123"
    assert record.NgayHenTra == dt.datetime(2025, 11, 19, 17, 0, 0)
    assert record.NgayTra is None
    assert record.status_label == "Đang xử lý"
    assert record.QuaTrinhXuLy[0].TrangThai == 2


def test_every_status_has_its_contract_label():
    assert STATUS_LABELS[5] == "Yêu cầu bổ sung giấy tờ"
    assert STATUS_LABELS[10] == "Đã trả kết quả"
    assert sorted(STATUS_LABELS) == list(range(1, 11))


def test_a_lower_case_code_is_stored_upper_case():
    assert Dossier.parse_obj(dossier(code="000.00.20.h37-251114-0123")).MaHoSo == "000.00.20.H37-251114-0123"


def test_phone_digits_ignore_spaces_and_dots():
    assert Dossier.parse_obj(dossier(SoDienThoai="0912 345.678")).phone_digits == "0912345678"


@pytest.mark.parametrize(
    "field, value",
    [
        ("MaHoSo", "000.00.20.H37-2511140123"),
        ("MaHoSo", "'; DROP TABLE dossiers; --"),
        ("TrangThaiHoSo", 11),
        ("TrangThaiHoSo", 0),
        ("KenhThucHien", 4),
        ("NgayHenTra", "2025-11-19"),
        ("SoDienThoai", "abc"),
        ("TenTTHC", ""),
    ],
)
def test_malformed_fields_are_rejected(field, value):
    with pytest.raises(ValidationError) as error:
        Dossier.parse_obj(dossier(**{field: value}))
    assert field in str(error.value)


def test_timestamps():
    assert parse_timestamp("") is None
    assert parse_timestamp(None) is None
    assert parse_timestamp("20260101000000") == dt.datetime(2026, 1, 1)
    with pytest.raises(ValueError):
        parse_timestamp("20261301000000")
