"""Province settings the action server reads at start-up: contact details and intent labels."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_DIR = Path(os.environ.get("SETTINGS_DIR", REPO_ROOT / "settings"))
WEEKDAY_NAMES = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


def _parse_range(text: str) -> Tuple[dt.time, dt.time]:
    start, end = (part.strip() for part in text.split("-"))
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


@dataclass(frozen=True)
class ServiceCentre:
    """The public administration service centre citizens can call or visit."""

    name: str
    hotline: str = ""
    national_hotline: str = ""
    address: str = ""
    portal_url: str = ""
    national_portal_url: str = ""
    onestop_system: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    office_hours: Dict[int, List[Tuple[dt.time, dt.time]]] = field(default_factory=dict)

    def is_open(self, moment: Optional[dt.datetime] = None) -> bool:
        """Whether the centre is open at `moment` (default: now, in its time zone)."""
        zone = ZoneInfo(self.timezone)
        local = (moment or dt.datetime.now(zone)).astimezone(zone)
        return any(
            start <= local.time() < end for start, end in self.office_hours.get(local.weekday(), [])
        )

    def office_hours_text(self) -> str:
        """Office hours as Vietnamese text, grouping days with the same hours."""
        groups: List[Tuple[List[int], str]] = []
        for day in range(7):
            ranges = self.office_hours.get(day)
            if not ranges:
                continue
            text = ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in ranges)
            if groups and groups[-1][1] == text and groups[-1][0][-1] == day - 1:
                groups[-1][0].append(day)
            else:
                groups.append(([day], text))
        parts = []
        for days, text in groups:
            label = WEEKDAY_NAMES[days[0]]
            if len(days) > 1:
                label = f"{label} đến {WEEKDAY_NAMES[days[-1]]}"
            parts.append(f"{label}: {text}")
        return "; ".join(parts)

    def hotline_text(self) -> str:
        """The phone numbers to call, best first, as one Vietnamese phrase."""
        lines = []
        if self.hotline:
            lines.append(f"đường dây nóng {self.name}: {self.hotline}")
        if self.national_hotline:
            lines.append(f"tổng đài hỗ trợ Cổng Dịch vụ công quốc gia: {self.national_hotline}")
        return "; ".join(lines)


@lru_cache(maxsize=None)
def service_centre(path: Optional[Path] = None) -> ServiceCentre:
    """Load the service centre settings (settings/service_centre.yml)."""
    data = yaml.safe_load((path or SETTINGS_DIR / "service_centre.yml").read_text("utf-8")) or {}
    hours = {
        int(day): [_parse_range(r) for r in ranges or []]
        for day, ranges in (data.get("office_hours") or {}).items()
    }
    fields = {k: str(v or "") for k, v in data.items() if k != "office_hours"}
    return ServiceCentre(office_hours=hours, **fields)


@lru_cache(maxsize=None)
def intent_labels(path: Optional[Path] = None) -> Dict[str, str]:
    """Citizen-facing Vietnamese names of intents (settings/intent_labels.yml)."""
    data = yaml.safe_load((path or SETTINGS_DIR / "intent_labels.yml").read_text("utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}
