"""Which fact about a procedure a message asks for, read from its words.

The intent classifier learns attributes from a few hundred examples and, on questions unlike
them, often names an attribute nobody asked for; the phrases people use for each attribute are
few and stable, so they are read directly here (folded text, whole words). A message that
names none asks for the overview.
"""
from __future__ import annotations

import re
from typing import List, Optional

from bot.nlu.vietnamese_text import fold, nfc

OVERVIEW_INTENT = "ask_procedure"
# Every intent that asks about a procedure (the overview and one per attribute).
PROCEDURE_INTENTS = frozenset(
    {OVERVIEW_INTENT, "ask_documents", "ask_forms", "ask_fee", "ask_duration", "ask_agency", "ask_steps",
     "ask_conditions", "ask_result", "ask_online", "ask_legal_basis"}
)
# Checked in this order: the first attribute whose cue appears wins ("giấy tờ gì và nộp ở
# đâu" asks for documents first). Cues are folded (no accents), separated by "|".
ATTRIBUTE_CUES = (
    ("ask_fee", r"le phi|lephi|phi bn|bn tien|nhieu tien|het bn|mat bn|phi la bao nhieu|bao nhieu tien|mat tien|ton tien|het bao nhieu|mat bao nhieu tien|chi phi|nop tien|mien phi|mat phi|tinh phi|thu phi|phi bao nhieu|phi the nao"),
    ("ask_forms", r"mau don|mau to khai|to khai|bieu mau|mau gi|mau so|don theo mau|tai mau|form"),
    ("ask_documents", r"giay to gi|giay to nao|nhung giay to|can nhung gi|chuan bi gi|chuan bi nhung|can chuan bi|mang theo|mang gi|"
                      r"ho so gom|ho so va|ho so can|ho so gi|ho so nhung gi|ho so the nao|ho so ra sao|ho so nhu nao|chuan bi|thanh phan ho so|can nhung|can giay to|can gi|nop nhung gi|can co gi|bo ho so|giay to"),
    ("ask_duration", r"bao lau|han nop|thoi han nop|may ngay|bao nhieu ngay|mat bao lau|thoi gian giai quyet|thoi han giai quyet|bao gio co|bao gio thi co|"
                     r"khi nao co|khi nao thi co|bao gio xong|khi nao xong|may hom|bao nhieu lau|thoi gian"),
    ("ask_online", r"online|truc tuyen|qua mang|tren mang|dich vu cong|vneid|nop qua|qua buu dien|buu chinh|tai nha|khong can den"),
    ("ask_agency", r"o (?:xa|phuong|huyen|tinh)|len (?:xa|huyen|tinh)|tai (?:xa|huyen|tinh)|ca xa|ub xa|o dau|cho nao|noi nao|co quan nao|noi nop|nop o|lam o|den dau|di dau|xa hay huyen|huyen hay tinh|cap nao|ai giai quyet|ai cap"),
    ("ask_steps", r"cac buoc|trinh tu|quy trinh|tung buoc|buoc nao|lam tu dau"),
    ("ask_conditions", r"dieu kien|co duoc khong|duoc khong|co phai|tieu chuan|yeu cau gi|doi tuong nao|ai duoc|co can|phai co|bat buoc"),
    ("ask_result", r"ket qua|nhan duoc gi|duoc cap gi|nhan lai gi|giay gi"),
    ("ask_legal_basis", r"can cu|van ban|luat nao|nghi dinh|thong tu|quy dinh nao|theo quy dinh|dieu luat"),
)
_CUES = [(intent, re.compile(r"(?<![a-z0-9])(?:" + cues + r")(?![a-z0-9])")) for intent, cues in ATTRIBUTE_CUES]


def _folded(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(nfc(text or "")).lower()).split())


# Cues too generic to make a message a two-part question ("làm online được không").
_GENERIC_SECOND = {"ask_conditions"}
# Looser phrasings of a part, counted only next to another part ("làm thế nào, hết bao nhiêu"):
# alone they would turn an overview question into an attribute one.
PART_CUES = (
    ("ask_fee", r"phi|mat tien|ton tien|het tien|bao nhieu tien|nop tien|dong tien|dong phi|nop phi|ton kem|gia bao nhieu"),
    ("ask_duration", r"bao gio|khi nao|lau khong|lau ko|lau k|nhanh khong|may tuan|may thang|trong bao lau"),
    ("ask_agency", r"nop cho ai|gap ai|phong nao|so nao|noi lam|lam tai dau|o cho nao|nop tai"),
    ("ask_documents", r"ho so|giay gi|to gi|mang nhung|can mang|can nhung"),
    ("ask_online", r"dvc|tu xa|qua app|ung dung|dien thoai|qua dt|tren dt"),
    ("ask_steps", r"lam the nao|lam nhu the nao|lam sao|cach lam|ntn|the nao|ra sao|nhu nao"),
    ("ask_result", r"duoc gi|nhan gi|cap gi|co giay gi"),
)
_PART_CUES = [(intent, re.compile(r"(?<![a-z0-9])(?:" + cues + r")(?![a-z0-9])")) for intent, cues in PART_CUES]


def attribute_intents(text: str) -> List[str]:
    """Every attribute a message asks for, in the order it asks them ("hồ sơ gì và nộp ở đâu": two).

    Cues must not overlap; a generic one (conditions) counts only when it is the only one.
    """
    folded = _folded(text)
    found = []
    taken: List[range] = []

    def collect(cues, loose: bool) -> None:
        for intent, pattern in cues:
            for match in pattern.finditer(folded):
                span = range(match.start(), match.end())
                if any(set(span) & set(other) for other in taken):
                    continue
                taken.append(span)
                found.append((match.start(), intent, loose))
                break

    collect(_CUES, loose=False)
    strict = {intent for _, intent, _ in found} - _GENERIC_SECOND
    if len(strict) == 1:  # one clear part: a looser second one may complete it, never start one
        collect(_PART_CUES, loose=True)
        loose = [item for item in found if item[2] and item[1] not in strict]
        found = [item for item in found if not item[2]] + loose[:1]
    ordered = [intent for _, intent, _ in sorted(found)]
    if len(ordered) > 1:
        ordered = [intent for intent in ordered if intent not in _GENERIC_SECOND] or ordered[:1]
    return list(dict.fromkeys(ordered))


def without_attribute_cues(text: str) -> str:
    """The folded message without the phrases that ask for an attribute ("làm trên vneid được ko" -> "làm trên được ko")."""
    folded = _folded(text)
    for _, pattern in _CUES:
        folded = pattern.sub(" ", folded)
    return " ".join(folded.split())


def attribute_intent(text: str) -> Optional[str]:
    """The attribute intent a message's words ask for, or None when they name none."""
    folded = _folded(text)
    for intent, pattern in _CUES:
        if pattern.search(folded):
            return intent
    return None


# How staff process a dossier ("cán bộ một cửa", "thụ lý", "phân công"), not what a citizen must do.
_STAFF_WORK = re.compile(
    r"(?<![a-z0-9])(?:can bo|noi bo|thu ly|phan cong|trinh ky|ky duyet|chuyen xu ly|bo phan mot cua|tiep nhan ho so)(?![a-z0-9])"
)


def asks_about_staff_work(text: str) -> bool:
    """Whether a message asks how civil servants handle a dossier (their internal process)."""
    return bool(_STAFF_WORK.search(_folded(text)))
