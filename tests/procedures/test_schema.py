"""Tests for actions/procedures/schema.py: the validated record format of one procedure."""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Dict

import pytest
from pydantic import ValidationError

from actions.procedures.schema import (
    ChannelKind,
    Level,
    Procedure,
)

NO_INFO = "Không có thông tin"


def _record(**changes: Any) -> Dict[str, Any]:
    """A complete, valid raw record (the 1.001456 passport procedure, abridged)."""
    record: Dict[str, Any] = {
        "code": "1.001456",
        "name": "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)",
        "field": "Quản lý xuất nhập cảnh",
        "levels": ["provincial"],
        "audience": ["Công dân Việt Nam"],
        "agency": "Phòng Quản lý xuất nhập cảnh, Công an tỉnh",
        "competent_authority": "Công an tỉnh",
        "receiving_address": "Trụ sở Công an tỉnh",
        "channels": [
            {
                "kind": "direct",
                "duration": {"text": "8 ngày làm việc", "value": 8, "unit": "working_days"},
                "fee": {"text": "200.000 đồng", "amount_vnd": 200000},
            },
            {
                "kind": "online",
                "duration": {"text": "8 ngày làm việc", "value": 8, "unit": "working_days"},
                "fee": {"text": "160.000 đồng", "amount_vnd": 160000},
                "note": "Nộp trên Cổng Dịch vụ công quốc gia",
            },
        ],
        "document_groups": [
            {
                "case": "Cấp lần đầu",
                "documents": [
                    {"name": "Tờ khai TK01", "forms": ["Mẫu TK01.doc"], "originals": 1, "copies": 0},
                    {"name": "Ảnh chân dung", "quantity_text": "2 ảnh"},
                ],
            }
        ],
        "steps": ["Nộp hồ sơ", "Nhận kết quả"],
        "conditions": ["Là công dân Việt Nam"],
        "results": ["Hộ chiếu phổ thông"],
        "legal_basis": [{"title": "Luật Xuất cảnh, nhập cảnh của công dân Việt Nam", "code": "49/2019/QH14"}],
        "online_url": "https://dichvucong.gov.vn/thu-tuc/1.001456",
        "source_url": "https://dichvucong.gov.vn/thu-tuc/1.001456",
        "checked": "2026-01-15",
        "aliases": ["làm hộ chiếu"],
        "popularity": 12.5,
    }
    record.update(changes)
    return record


def _set(record: Dict[str, Any], path: str, value: Any) -> Dict[str, Any]:
    """A copy of `record` with the value at a dotted path ("channels.0.fee.text") replaced."""
    record = copy.deepcopy(record)
    *parents, last = path.split(".")
    target: Any = record
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return record


def _error_locations(error: ValidationError) -> set:
    return {".".join(str(part) for part in item["loc"]) for item in error.errors()}


# --- a valid record ----------------------------------------------------------------------


def test_a_complete_record_is_valid_and_typed():
    procedure = Procedure.parse_obj(_record())
    assert procedure.code == "1.001456"
    assert procedure.levels == [Level.provincial]
    assert procedure.checked == dt.date(2026, 1, 15)
    assert procedure.channels[0].kind is ChannelKind.direct
    assert procedure.channels[0].fee.amount_vnd == 200000
    assert procedure.channels[0].duration.value == 8.0


def test_only_code_name_source_and_date_are_required():
    procedure = Procedure.parse_obj(
        {"code": "2.000815", "name": "Chứng thực bản sao", "source_url": "http://example.vn", "checked": "2025-07-01"}
    )
    assert procedure.channels == [] and procedure.document_groups == [] and procedure.legal_basis == []
    assert procedure.field is None and procedure.online_url is None and procedure.popularity is None


@pytest.mark.parametrize("missing", ["code", "name", "source_url", "checked"])
def test_a_required_field_cannot_be_left_out(missing):
    record = _record()
    del record[missing]
    with pytest.raises(ValidationError) as error:
        Procedure.parse_obj(record)
    assert missing in _error_locations(error.value)


def test_text_is_stripped_of_surrounding_whitespace():
    procedure = Procedure.parse_obj(_record(name="  Cấp hộ chiếu phổ thông \n", field=" Hộ tịch "))
    assert procedure.name == "Cấp hộ chiếu phổ thông"
    assert procedure.field == "Hộ tịch"


def test_channel_lookup_and_documents_of_every_case():
    record = _record()
    record["document_groups"].append({"case": "Cấp lại", "documents": [{"name": "Đơn báo mất hộ chiếu"}]})
    procedure = Procedure.parse_obj(record)
    assert procedure.channel(ChannelKind.online).fee.amount_vnd == 160000
    assert procedure.channel(ChannelKind.postal) is None
    assert [document.name for document in procedure.documents] == [
        "Tờ khai TK01",
        "Ảnh chân dung",
        "Đơn báo mất hộ chiếu",
    ]


# --- "Không có thông tin" is not a value -------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "field",
        "agency",
        "competent_authority",
        "receiving_address",
        "channels.0.duration.text",
        "channels.0.fee.text",
        "steps.0",
        "conditions.0",
        "results.0",
        "audience.0",
        "aliases.0",
    ],
)
@pytest.mark.parametrize("placeholder", [NO_INFO, "không có thông tin", " Khong co thong tin ", "N/A", "--"])
def test_a_placeholder_is_rejected_where_a_fact_belongs(path, placeholder):
    with pytest.raises(ValidationError) as error:
        Procedure.parse_obj(_set(_record(), path, placeholder))
    assert path in _error_locations(error.value)
    assert "placeholder" in str(error.value)


@pytest.mark.parametrize(
    "path",
    [
        "name",
        "channels.1.note",
        "document_groups.0.case",
        "document_groups.0.documents.0.name",
        "legal_basis.0.title",
    ],
)
def test_a_placeholder_is_rejected_in_every_text_field(path):
    with pytest.raises(ValidationError):
        Procedure.parse_obj(_set(_record(), path, NO_INFO))


def test_a_text_that_only_mentions_the_placeholder_is_kept():
    condition = "Trường hợp không có thông tin về nơi cư trú thì nộp tại nơi đang sinh sống"
    procedure = Procedure.parse_obj(_record(conditions=[condition]))
    assert procedure.conditions == [condition]


# --- unknown keys and bad values ---------------------------------------------------------


@pytest.mark.parametrize(
    "path, key",
    [
        ("", "fees"),  # typo of a top-level field
        ("channels.0", "price"),
        ("channels.0.fee", "amount"),
        ("document_groups.0.documents.0", "copy"),
        ("legal_basis.0", "number"),
    ],
)
def test_an_unknown_key_is_rejected(path, key):
    record = _record()
    target: Any = record
    for part in filter(None, path.split(".")):
        target = target[int(part)] if part.isdigit() else target[part]
    target[key] = "x"
    with pytest.raises(ValidationError) as error:
        Procedure.parse_obj(record)
    expected = f"{path}.{key}" if path else key
    assert expected in _error_locations(error.value)
    assert "extra fields not permitted" in str(error.value)


@pytest.mark.parametrize("code", ["1001456", "1.00145", "1.0014567", "A.001456", "1,001456", "01.001456", ""])
def test_a_malformed_code_is_rejected(code):
    with pytest.raises(ValidationError) as error:
        Procedure.parse_obj(_record(code=code))
    assert "code" in _error_locations(error.value)


@pytest.mark.parametrize("code", ["1.001456", "2.000815", "3.000333", "6.003622"])
def test_a_national_code_is_accepted(code):
    assert Procedure.parse_obj(_record(code=code)).code == code


@pytest.mark.parametrize(
    "path, value",
    [
        ("levels", ["province"]),
        ("channels.0.kind", "email"),
        ("channels.0.duration.unit", "weeks"),
        ("channels.0.duration.value", -1),
        ("channels.0.fee.amount_vnd", -5),
        ("document_groups.0.documents.0.copies", -1),
        ("document_groups.0.documents", []),
        ("document_groups.0.documents.0.name", "x"),
        ("legal_basis.0.title", "L"),
        ("online_url", "http://dichvucong.gov.vn/insecure"),
        ("source_url", "dichvucong.gov.vn/no-scheme"),
        ("checked", "15/01/2026"),
        ("popularity", -0.5),
        ("name", "Cấp"),
        ("steps", ["Nộp hồ sơ", "   "]),
    ],
)
def test_a_bad_value_is_rejected(path, value):
    with pytest.raises(ValidationError) as error:
        Procedure.parse_obj(_set(_record(), path, value))
    top = path.split(".")[0]
    assert any(location.startswith(top) for location in _error_locations(error.value))


def test_a_channel_may_appear_only_once():
    record = _record()
    record["channels"].append({"kind": "direct", "fee": {"text": "Miễn phí", "free": True}})
    with pytest.raises(ValidationError) as error:
        Procedure.parse_obj(record)
    assert "channels" in _error_locations(error.value)
    assert "only once" in str(error.value)


def test_every_channel_kind_can_be_listed_once():
    channels = [{"kind": kind.value} for kind in ChannelKind]
    procedure = Procedure.parse_obj(_record(channels=channels))
    assert [channel.kind for channel in procedure.channels] == list(ChannelKind)
