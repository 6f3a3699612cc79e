"""After a dossier's status was shown: what the owner does next, from that status.

"Vậy giờ tôi phải làm gì tiếp theo?", "thế phải bổ sung gì", "vậy hỏi ở đâu" right after a status
are about that dossier, not a search of the catalogue. The lookup keeps a small, non-personal
summary (procedure code, status, unit, due date) in the `dossier_context` slot, which only the
lookup action sets; the answer is the domain response for that status.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Optional

from actions.onestop.model import Dossier
from bot.nlu.vietnamese_text import fold, nfc

CONTEXT_SLOT = "dossier_context"
_WHAT_NOW = re.compile(
    r"(?<![a-z0-9])(?:lam gi tiep|tiep theo|bay gio|gio phai|gio lam|gio toi|phai lam gi|phai lam sao|lam sao|lam the nao|"
    r"bo sung gi|bo sung nhung|can bo sung|bo sung the nao|nop them|bao gio (?:thi )?(?:lay|nhan|co|xong)|"
    r"khi nao (?:thi )?(?:lay|nhan|co|xong)|hoi o dau|hoi ai|lien he|o dau|lay o dau|nhan o dau|den dau|"
    r"sao lau|qua han|cham the|van chua|chua xong|chua co|tai sao|vi sao|ly do|nop tien|nop o dau|the nao)(?![a-z0-9])"
)


def context_of(dossier: Dossier) -> Dict[str, Any]:
    """The summary kept after a verified lookup: nothing that identifies the owner."""
    due = dossier.NgayHenTra.strftime("%d/%m/%Y") if dossier.NgayHenTra else None
    return {"procedure": dossier.MaTTHC, "status": dossier.TrangThaiHoSo, "unit": dossier.DonViXuLy, "due": due}


def asks_what_now(text: str) -> bool:
    """Whether a message asks what to do next (or where to ask) about the dossier just shown."""
    folded = " ".join(re.sub(r"[^0-9a-z]+", " ", fold(nfc(text or "")).lower()).split())
    return bool(_WHAT_NOW.search(folded))


def next_step_response(context: Any) -> Optional[Dict[str, Any]]:
    """The domain response (name and variables) for the kept status, or None when there is none."""
    if not isinstance(context, dict):
        return None
    status = context.get("status")
    if not isinstance(status, int) or not 1 <= status <= 10:
        return None
    unit = context.get("unit") if isinstance(context.get("unit"), str) and context.get("unit") else "cơ quan đang giải quyết hồ sơ"
    due = context.get("due") if isinstance(context.get("due"), str) and context.get("due") else "xem trên giấy hẹn trả kết quả"
    return {"response": f"utter_dossier_next_step_{status}", "unit": unit[:200], "due": due[:20]}
