"""A dossier in the national synchronisation format (CONTRACTS.md), validated with pydantic."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional

from pydantic import BaseModel, Extra, Field, validator

# agency code . yyMMdd . 4-digit daily sequence, e.g. 000.00.20.H37-251114-0123
DOSSIER_CODE_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$"
_DATE_FORMAT = "%Y%m%d%H%M%S"

STATUS_LABELS: Dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
CHANNEL_LABELS: Dict[int, str] = {1: "trực tiếp", 2: "trực tuyến", 3: "qua bưu chính"}


def parse_timestamp(value: Any) -> Optional[dt.datetime]:
    """'20251114083000' -> datetime; empty -> None; anything else is an error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{14}", value.strip()):
        raise ValueError("date must be yyyyMMddHHmmss or empty")
    return dt.datetime.strptime(value.strip(), _DATE_FORMAT)


class HistoryStep(BaseModel):
    """One step of the processing history (QuaTrinhXuLy)."""

    NguoiXuLy: Optional[str] = None
    ThoiDiemXuLy: Optional[dt.datetime] = None
    NoiDungXuLy: Optional[str] = None
    TrangThai: Optional[int] = Field(None, ge=1, le=10)

    class Config:
        extra = Extra.ignore

    _when = validator("ThoiDiemXuLy", pre=True, allow_reuse=True)(parse_timestamp)


class Dossier(BaseModel):
    """One dossier as the one-stop system synchronises it."""

    MaHoSo: str = Field(..., regex=DOSSIER_CODE_PATTERN)
    MaTTHC: Optional[str] = None
    TenTTHC: str = Field(..., min_length=1)
    ChuHoSo: str = Field(..., min_length=1)
    SoDienThoai: str = Field(..., regex=r"^\+?\d[\d .-]{7,18}\d$")
    KenhThucHien: Optional[int] = Field(None, ge=1, le=3)
    NgayNopHoSo: Optional[dt.datetime] = None
    NgayTiepNhan: Optional[dt.datetime] = None
    NgayHenTra: Optional[dt.datetime] = None
    NgayTra: Optional[dt.datetime] = None
    TrangThaiHoSo: int = Field(..., ge=1, le=10)
    DonViXuLy: Optional[str] = None
    QuaTrinhXuLy: List[HistoryStep] = Field(default_factory=list)

    class Config:
        extra = Extra.ignore
        anystr_strip_whitespace = True

    _dates = validator("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTra", pre=True, allow_reuse=True)(
        parse_timestamp
    )

    @validator("MaHoSo", pre=True)
    def _upper_code(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    def to_national(self) -> Dict[str, Any]:
        """Back to the synchronisation format (dates as yyyyMMddHHmmss, empty when unknown)."""
        def stamp(value: Optional[dt.datetime]) -> str:
            return value.strftime(_DATE_FORMAT) if value else ""

        data = self.dict()
        for key in ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTra"):
            data[key] = stamp(data[key])
        for step in data["QuaTrinhXuLy"]:
            step["ThoiDiemXuLy"] = stamp(step["ThoiDiemXuLy"])
        return data

    @property
    def phone_digits(self) -> str:
        """The phone number's digits only (what verification compares)."""
        return re.sub(r"\D", "", self.SoDienThoai)

    @property
    def status_label(self) -> str:
        """The Vietnamese label of the status (CONTRACTS.md)."""
        return STATUS_LABELS[self.TrangThaiHoSo]
