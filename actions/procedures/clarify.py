"""Ask the one question that tells close procedures apart, as a person at the desk would.

Candidates are often siblings: the same document issued the first time, again after a loss, or
changed ("Cấp / Cấp lại / Cấp đổi thẻ căn cước"), or the same procedure at two levels. A list of
long official names makes the citizen read them all; a question about the difference, with short
buttons, does not. Each button still chooses one procedure (its code is in the payload).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence

from actions.procedures.schema import Level, Procedure
from bot.nlu.vietnamese_text import fold, nfc

# (kind, pattern on the folded name, button label, phrase in the question); first match wins,
# so the more specific kinds come first. A name matching none is a first-time procedure.
_KINDS = (
    ("report", r"trinh bao mat|bao mat", "Báo mất", "báo mất"),
    ("restore", r"khoi phuc", "Khôi phục, dùng lại", "khôi phục để dùng lại"),
    ("again", r"cap lai|dang ky lai|lam lai|cap ban sao", "Làm lại (mất, hỏng)", "làm lại vì mất, hỏng"),
    ("change", r"cap doi|doi (?!voi)|dieu chinh|thay doi|cai chinh|bo sung|sua doi|chuyen doi", "Đổi, sửa thông tin",
     "đổi hoặc sửa thông tin"),
    ("extend", r"gia han", "Gia hạn", "gia hạn"),
    ("pause", r"tam ngung|tam dung", "Tạm ngừng", "tạm ngừng"),
    ("end", r"cham dut|giai the|xoa dang ky|xoa |thu hoi|huy ", "Chấm dứt, xoá", "chấm dứt, xoá"),
)
_FIRST = ("first", "Làm lần đầu", "làm lần đầu")
_LEVEL_LABELS = {
    Level.commune: ("Ở xã, phường", "ở xã, phường"),
    Level.district: ("Ở huyện", "ở huyện"),
    Level.provincial: ("Ở tỉnh", "ở tỉnh"),
    Level.central: ("Ở trung ương (Bộ)", "ở trung ương"),
}
_NAME_LEVEL = (
    (re.compile(r"cap trung uong|cap bo\b"), Level.central),
    (re.compile(r"cap tinh"), Level.provincial),
    (re.compile(r"cap huyen"), Level.district),
    (re.compile(r"cap xa"), Level.commune),
)
_SHORT_CHARS = 40


@dataclass(frozen=True)
class Clarification:
    """A question and one short button title per procedure (same order as given)."""

    question: str
    titles: List[str]


def _folded(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(nfc(text)).lower()).split()) + " "


def kind_of(procedure: Procedure) -> tuple:
    """(kind, label, phrase) of a procedure's name: first time, again, change, extend…"""
    name = _folded(procedure.name)
    for kind, pattern, label, phrase in _KINDS:
        if re.search(r"(?<![a-z])(?:" + pattern + r")", name):
            return kind, label, phrase
    return _FIRST


def level_of(procedure: Procedure) -> Optional[Level]:
    """The level a procedure's name says it is done at, else its only level, else None."""
    name = _folded(procedure.name)
    for pattern, level in _NAME_LEVEL:
        if pattern.search(name):
            return level
    levels = [level for level in procedure.levels if level in _LEVEL_LABELS]
    return levels[0] if len(levels) == 1 else None


# Words that say the kind or the level, not what the procedure is about.
_NOT_CORE = frozenset(
    "cap lai doi dang ky thuc hien tai tinh xa huyen trung uong bo lan dau moi gia han dieu chinh thay "
    "bo sung cham dut xoa thu hoi huy khoi phuc trinh bao mat tam ngung dung thu tuc va cho".split()
)
MIN_SHARED_CORE = 0.5


def _core(procedure: Procedure) -> set:
    return {word for word in _folded(procedure.name).split() if word not in _NOT_CORE}


def siblings(procedures: Sequence[Procedure]) -> bool:
    """Whether the procedures are variants of one (their names share most of what they are about)."""
    cores = [_core(procedure) for procedure in procedures]
    for index, first in enumerate(cores):
        for second in cores[index + 1 :]:
            if not first or not second or len(first & second) / min(len(first), len(second)) < MIN_SHARED_CORE:
                return False
    return True


def _either(phrases: Sequence[str]) -> str:
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " hay " + phrases[-1]


def clarify(procedures: Sequence[Procedure]) -> Optional[Clarification]:
    """The question that tells these procedures apart, or None when no single difference does."""
    if len(procedures) < 2 or not siblings(procedures):
        return None
    kinds = [kind_of(procedure) for procedure in procedures]
    if len({kind for kind, _, _ in kinds}) == len(procedures):
        return Clarification(
            question=f"Bạn cần {_either([phrase for _, _, phrase in kinds])}?",
            titles=[label for _, label, _ in kinds],
        )
    levels = [level_of(procedure) for procedure in procedures]
    if all(levels) and len(set(levels)) == len(procedures):
        return Clarification(
            question=f"Bạn nộp hồ sơ {_either([_LEVEL_LABELS[level][1] for level in levels])}?",
            titles=[_LEVEL_LABELS[level][0] for level in levels],
        )
    pairs = [(kind[1], _LEVEL_LABELS[level][1] if level else None) for kind, level in zip(kinds, levels)]
    if all(level for _, level in pairs) and len(set(pairs)) == len(procedures):
        return Clarification(
            question="Bạn cần làm việc nào, và nộp ở đâu?",
            titles=[f"{label} – {level}" for label, level in pairs],
        )
    return None
