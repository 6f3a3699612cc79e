"""The catalogue's record format: one administrative procedure, validated with pydantic.

A missing fact is `None` (or an empty list), never a placeholder such as
"Không có thông tin": the assistant must be able to say "not available" honestly.
"""
from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import List, Optional

from pydantic import BaseModel, Extra, Field, validator

CODE_PATTERN = r"^\d\.\d{6}$"
_NO_INFO = re.compile(r"^\s*(không có thông tin|khong co thong tin|n/?a|-+)\s*$", re.IGNORECASE)


class Level(str, Enum):
    """Administrative level that carries out the procedure."""

    central = "central"  # Cấp bộ (ministry / central agency)
    provincial = "provincial"  # Cấp tỉnh
    district = "district"  # Cấp huyện (abolished in 2025, kept for older records)
    commune = "commune"  # Cấp xã
    other = "other"  # Cơ quan khác


LEVEL_LABELS = {
    Level.central: "cấp bộ, ngành trung ương",
    Level.provincial: "cấp tỉnh",
    Level.district: "cấp huyện",
    Level.commune: "cấp xã",
    Level.other: "cơ quan khác",
}


class ChannelKind(str, Enum):
    """How a dossier is submitted."""

    direct = "direct"  # Trực tiếp
    online = "online"  # Trực tuyến
    postal = "postal"  # Dịch vụ bưu chính


CHANNEL_LABELS = {
    ChannelKind.direct: "nộp trực tiếp",
    ChannelKind.online: "nộp trực tuyến",
    ChannelKind.postal: "qua bưu chính",
}


class Record(BaseModel):
    """Base: unknown keys are errors, so a typo in a field name is caught by the loader."""

    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


def _no_placeholder(value: Optional[str]) -> Optional[str]:
    if value is not None and _NO_INFO.match(value):
        raise ValueError('use null for a missing fact, not a placeholder such as "Không có thông tin"')
    return value


class Duration(Record):
    """Processing time as published; `days` only when the text states a number of days."""

    text: str = Field(..., min_length=1, description='as published, e.g. "8 ngày làm việc"')
    value: Optional[float] = Field(None, ge=0)
    unit: Optional[str] = Field(
        None, regex=r"^(working_days|days|hours|months|years)$", description="unit of `value`"
    )

    _check_text = validator("text", allow_reuse=True)(_no_placeholder)


class Fee(Record):
    """Fee or charge; `amount_vnd` only for a single stated amount; `free` when stated free."""

    text: str = Field(..., min_length=1, description='as published, e.g. "200.000 đồng/lần"')
    amount_vnd: Optional[int] = Field(None, ge=0)
    free: bool = False

    _check_text = validator("text", allow_reuse=True)(_no_placeholder)


class Channel(Record):
    """One way to submit: its processing time and fee (either may be unknown)."""

    kind: ChannelKind
    duration: Optional[Duration] = None
    fee: Optional[Fee] = None
    note: Optional[str] = None

    _check_note = validator("note", allow_reuse=True)(_no_placeholder)


class Document(Record):
    """A document to submit, with the form to use (if any) and how many copies."""

    name: str = Field(..., min_length=2)
    forms: List[str] = Field(default_factory=list, description="form names or file names")
    originals: Optional[int] = Field(None, ge=0)
    copies: Optional[int] = Field(None, ge=0)
    quantity_text: Optional[str] = Field(None, description='as published, e.g. "1 bản chính"')

    _check_name = validator("name", allow_reuse=True)(_no_placeholder)


class DocumentGroup(Record):
    """Documents for one case ("Trường hợp ..."); `case` is None when the source has one list."""

    case: Optional[str] = None
    documents: List[Document] = Field(..., min_items=1)

    _check_case = validator("case", allow_reuse=True)(_no_placeholder)


class LegalDocument(Record):
    """A legal basis: its title and official number (e.g. 49/2019/QH14)."""

    title: str = Field(..., min_length=2)
    code: Optional[str] = None

    _check_title = validator("title", allow_reuse=True)(_no_placeholder)


class Procedure(Record):
    """One administrative procedure (thủ tục hành chính)."""

    code: str = Field(..., regex=CODE_PATTERN, description="national procedure code, e.g. 1.001456")
    name: str = Field(..., min_length=5)
    field: Optional[str] = Field(None, description="lĩnh vực, e.g. Hộ tịch")
    levels: List[Level] = Field(default_factory=list)
    audience: List[str] = Field(default_factory=list, description="đối tượng thực hiện")
    agency: Optional[str] = Field(None, description="cơ quan thực hiện")
    competent_authority: Optional[str] = Field(None, description="cơ quan có thẩm quyền")
    receiving_address: Optional[str] = Field(None, description="địa chỉ tiếp nhận hồ sơ")
    channels: List[Channel] = Field(default_factory=list)
    document_groups: List[DocumentGroup] = Field(default_factory=list)
    steps: List[str] = Field(default_factory=list)
    conditions: List[str] = Field(default_factory=list)
    results: List[str] = Field(default_factory=list)
    legal_basis: List[LegalDocument] = Field(default_factory=list)
    online_url: Optional[str] = Field(None, regex=r"^https://", description="where to submit online")
    source_url: str = Field(..., regex=r"^https?://", description="the official page this record follows")
    checked: dt.date = Field(..., description="date the record was last checked against its source")
    taken: Optional[dt.date] = Field(
        None, description="date the record's data was taken from its source (a crawl), when known; else `checked`"
    )
    aliases: List[str] = Field(default_factory=list, description="names people use, e.g. sổ đỏ")
    popularity: Optional[float] = Field(None, ge=0, description="relative usage weight, higher = more used")

    _check_optional_texts = validator(
        "name", "field", "agency", "competent_authority", "receiving_address", allow_reuse=True
    )(_no_placeholder)

    @validator("channels")
    def _one_row_per_channel(cls, channels: List[Channel]) -> List[Channel]:
        kinds = [channel.kind for channel in channels]
        if len(kinds) != len(set(kinds)):
            raise ValueError("each channel (direct, online, postal) may appear only once")
        return channels

    @validator("steps", "conditions", "results", "audience", "aliases", each_item=True)
    def _no_empty_items(cls, item: str) -> str:
        if not item or not item.strip():
            raise ValueError("empty item")
        return _no_placeholder(item)

    def channel(self, kind: ChannelKind) -> Optional[Channel]:
        """The row for one channel, if the procedure offers it."""
        return next((channel for channel in self.channels if channel.kind == kind), None)

    @property
    def documents(self) -> List[Document]:
        """All documents of every case, in order."""
        return [document for group in self.document_groups for document in group.documents]
