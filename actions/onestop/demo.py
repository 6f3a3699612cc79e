"""Fictitious demo dossiers (data/onestop/demo-dossiers.json), dated relative to today.

The file is written as of `REFERENCE_DAY`; seeding moves every date by the days since then, so
the overdue dossier stays overdue and the others stay on time whenever the demo runs.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import List, Optional

from actions.onestop.model import Dossier

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = ROOT / "data" / "onestop" / "demo-dossiers.json"
REFERENCE_DAY = dt.date(2026, 1, 15)
_DATE_FIELDS = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayTra")


def shifted(dossier: Dossier, days: int) -> Dossier:
    """The same dossier with every date moved by `days`."""
    delta = dt.timedelta(days=days)
    changes = {name: getattr(dossier, name) + delta for name in _DATE_FIELDS if getattr(dossier, name)}
    history = [
        step.copy(update={"ThoiDiemXuLy": step.ThoiDiemXuLy + delta}) if step.ThoiDiemXuLy else step
        for step in dossier.QuaTrinhXuLy
    ]
    return dossier.copy(update={**changes, "QuaTrinhXuLy": history})


def demo_dossiers(today: Optional[dt.date] = None, path: Path = DEMO_FILE) -> List[Dossier]:
    """The demo dossiers, dated as if the file had been written today."""
    days = ((today or dt.date.today()) - REFERENCE_DAY).days
    return [shifted(Dossier.parse_obj(entry), days) for entry in json.loads(path.read_text("utf-8"))]
