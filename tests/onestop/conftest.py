"""Fictitious dossiers in the national synchronisation format, and the databases to test on."""
import os
import uuid
from typing import Any, Dict

import pytest


def dossier(code: str = "000.00.20.H37-251114-0123", status: int = 4, **changes: Any) -> Dict[str, Any]:
    """A made-up dossier (no real person) as the one-stop system would send it."""
    record = {
        "MaHoSo": code,
        "MaTTHC": "1.004194",
        "TenTTHC": "Đăng ký tạm trú",
        "ChuHoSo": "Nguyễn Văn An",
        "SoDienThoai": "0912345678",
        "KenhThucHien": 2,
        "NgayNopHoSo": "20251114083000",
        "NgayTiepNhan": "20251114090000",
        "NgayHenTra": "20251119170000",
        "NgayTra": "",
        "TrangThaiHoSo": status,
        "DonViXuLy": "Công an xã Hoàng Đồng",
        "QuaTrinhXuLy": [
            {"NguoiXuLy": "Cán bộ tiếp nhận", "ThoiDiemXuLy": "20251114090000", "NoiDungXuLy": "Tiếp nhận hồ sơ", "TrangThai": 2}
        ],
    }
    record.update(changes)
    return record


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty database: an SQLite file always, PostgreSQL when TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'onestop.db'}"
        return
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL not set")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{url}?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()
