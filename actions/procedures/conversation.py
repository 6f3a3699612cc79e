"""What a message means in the conversation so far: a follow-up, a pick among offered choices,
a way back to an earlier procedure, a sibling of the current one, or a new procedure.

A person at the desk keeps the thread: after "cấp lại thẻ căn cước", "mấy ngày thì có" is about
that card, and "bao lâu có bằng" does not start a search for "bằng". The state lives in slots only
actions set (custom mappings): the procedure under discussion, the earlier ones, the choices last
offered and the attribute last asked. A new procedure is taken only when the message clearly names
one: the search is confident and at least two of the words it matched are not words of the
procedure already under discussion.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from actions.procedures.attributes import attribute_intents, without_attribute_cues
from actions.procedures.clarify import kind_of, level_of
from actions.procedures.schema import Level, Procedure
from actions.procedures.search import ProcedureSearch, normalize
from actions.procedures.service import ANSWER_CONFIDENCE, decide

PROCEDURE_SLOT = "procedure_code"
HISTORY_SLOT = "procedure_history"
CHOICES_SLOT = "procedure_choices"
ATTRIBUTE_SLOT = "procedure_attribute"
HISTORY_LENGTH = 5
# Matched words a message must add beyond the current procedure's own to start a new topic.
NEW_TOPIC_WORDS = 2
# The engine's belief in the other procedure needed to switch (below, its name must be mostly asked).
SWITCH_CONFIDENCE = 0.5
SWITCH_NAME_SHARE = 0.6
MIN_SWITCH_NAME_SHARE = 0.4
SPECIFIC_WORDS = 9.0  # summed IDF of the new words that names a procedure even in a long name
# Words foreign to the procedure under discussion (in neither its name nor its record) that make
# a message something else than a follow-up ("mạng wifi hay mất thì báo ở đâu").
FOREIGN_WORDS = 2

_BACK = re.compile(
    r"\b(quay lai|tro lai|luc nay|luc truoc|ban nay|hoi nay|cai truoc|thu tuc truoc|cai dau tien|thu tuc dau|cai luc nay|vu luc nay|"
    r"nhu luc nay|hoi luc nay|vua hoi)\b"
)
# Phrases that ask for a sibling of the current procedure ("thế còn cấp lại thì sao?").
_KIND_REQUESTS = (
    ("again", r"cap lai|lam lai|dang ky lai|xin lai|bi mat|mat roi|danh mat|lam mat|mat the|mat bang|mat giay|mat vi|"
              r"bi hong|hu hong|bi rach|rach|hong roi|bi chay|that lac"),
    ("first", r"lan dau|cap moi|lam moi|moi lam|chua co"),
    ("change", r"cap doi|doi lai|doi sang|doi the|doi bang|doi giay|dieu chinh|thay doi|sua thong tin|sai thong tin|"
               r"the cu|bang cu|bi sai|ghi sai|in sai|sai ngay|sai ten|cap nhat"),
    ("extend", r"gia han"),
    ("end", r"cham dut|xoa dang ky|huy dang ky|giai the"),
)
_KIND_PATTERNS = [(kind, re.compile(r"\b(?:" + cues + r")\b")) for kind, cues in _KIND_REQUESTS]
_LEVEL_REQUESTS = (
    (Level.commune, re.compile(r"\b(xa|phuong|thi tran|cap xa)\b")),
    (Level.district, re.compile(r"\b(huyen|quan|thi xa|cap huyen)\b")),
    (Level.provincial, re.compile(r"\b(tinh|so|cap tinh)\b")),
    (Level.central, re.compile(r"\b(bo|trung uong|cap bo)\b")),
)
_ORDINALS = (
    (0, r"cai dau|thu nhat|so 1|cai 1|cai mot|dau tien|so mot|lua chon 1|phuong an 1|\b1\b"),
    (1, r"thu hai|thu 2|so 2|cai 2|cai hai|so hai|\b2\b"),
    (2, r"thu ba|thu 3|so 3|cai 3|cai ba|so ba|\b3\b"),
    (-1, r"cai cuoi|cuoi cung"),
)
_ORDINAL_PATTERNS = [(index, re.compile(r"(?:" + cues + r")")) for index, cues in _ORDINALS]
# How people open a question about something else ("thế còn hộ chiếu?", "à còn…", "hỏi thêm…").
_SWITCH_LEAD = re.compile(r"^(?:(?:a|the|vay|thoi|oi|ah|ma|nhung)\s+)*(?:con|hoi them|cho hoi them|hoi cai khac|them)\b")
# Words of a follow-up that say nothing about which procedure ("có phải đi lại nhiều lần ko").
_FILLER = frozenset(
    "thi co the con vay gio toi minh em anh chi ban oi sao nua roi duoc khong ko phai can mang lam nhieu lan di lai "
    "bao lau nay do kia cai vu viec thu tuc nop o dau ai nhu the nao ra sao muon hoi cho biet tiep theo "
    "buoc sau truoc va hay hoac cung".split()
)


@dataclass
class ProcedureState:
    """The procedure thread of one conversation, as kept in slots."""

    current: Optional[str] = None
    history: List[str] = field(default_factory=list)  # earlier procedures, most recent last
    choices: List[str] = field(default_factory=list)  # codes offered in the last question
    attribute: Optional[str] = None  # intent of the last procedure question

    @classmethod
    def from_slots(cls, get_slot) -> "ProcedureState":
        def codes(value: Any) -> List[str]:
            return [str(item) for item in value if isinstance(item, str)][:HISTORY_LENGTH] if isinstance(value, list) else []

        current = get_slot(PROCEDURE_SLOT)
        attribute = get_slot(ATTRIBUTE_SLOT)
        return cls(
            current=current if isinstance(current, str) else None,
            history=codes(get_slot(HISTORY_SLOT)),
            choices=codes(get_slot(CHOICES_SLOT)),
            attribute=attribute if isinstance(attribute, str) else None,
        )

    def answered(self, code: str, intent: str) -> "ProcedureState":
        """The state after answering about `code`: the previous current goes to the history."""
        history = [item for item in self.history if item != code]
        if self.current and self.current != code:
            history = [item for item in history if item != self.current] + [self.current]
        return ProcedureState(code, history[-HISTORY_LENGTH:], [], intent)

    def offered(self, codes: Sequence[str], intent: str) -> "ProcedureState":
        return ProcedureState(self.current, list(self.history), list(codes)[:HISTORY_LENGTH], intent)

    def slots(self) -> Dict[str, Any]:
        return {
            PROCEDURE_SLOT: self.current,
            HISTORY_SLOT: self.history or None,
            CHOICES_SLOT: self.choices or None,
            ATTRIBUTE_SLOT: self.attribute,
        }


def _words(engine: ProcedureSearch, text: str) -> set:
    return set(engine.analyse(text).words)


def message_words(engine: ProcedureSearch, text: str) -> set:
    """The content words of a message that may name a procedure: attribute phrases ("mất phí",
    "vneid", "bao lâu") and follow-up filler removed."""
    return _words(engine, without_attribute_cues(text)) - _FILLER


def name_words(engine: ProcedureSearch, procedure: Procedure) -> set:
    """The content words of a procedure's name and aliases, as the engine reads them."""
    words = _words(engine, procedure.name)
    for alias in procedure.aliases:
        words |= _words(engine, alias)
    return words


def pick_choice(
    engine: ProcedureSearch, text: str, choices: Sequence[Procedure], previous_text: str = ""
) -> Optional[Procedure]:
    """The offered procedure a typed answer picks by order, kind or level ("cái thứ hai", "cấp lại vì mất",
    "ở huyện"), if one. The kind may come from the question that led to the choices ("thẻ cũ phải
    đổi" … "lên tỉnh làm")."""
    if not choices:
        return None
    folded = normalize(text)
    for index, pattern in _ORDINAL_PATTERNS:
        if pattern.search(folded) and (index < len(choices)):
            return choices[index]
    candidates = list(choices)
    levels = [level_of(procedure) for procedure in candidates]
    named = [procedure for procedure, level in zip(candidates, levels)
             if level and any(wanted == level and pattern.search(folded) for wanted, pattern in _LEVEL_REQUESTS)]
    if named:
        candidates = named
    stripped = without_attribute_cues(text)  # "mất bao lâu" asks a time, it does not say "lost"
    asked = [kind for kind, pattern in _KIND_PATTERNS if pattern.search(stripped)]
    if not asked and previous_text and len(candidates) > 1:
        asked = [kind for kind, pattern in _KIND_PATTERNS if pattern.search(without_attribute_cues(previous_text))]
    if asked:
        matching = [procedure for procedure in candidates if kind_of(procedure)[0] in asked]
        if matching:
            candidates = matching
    if len(candidates) == 1 and len(candidates) < len(choices):
        return candidates[0]
    return None


def pick_by_words(engine: ProcedureSearch, text: str, choices: Sequence[Procedure]) -> Optional[Procedure]:
    """The offered procedure whose own words (those the other choices lack) the message uses, if one."""
    if not choices:
        return None
    words = {word for word in message_words(engine, text) if len(word) > 2}  # "so" is sổ and số
    names = [name_words(engine, procedure) for procedure in choices]
    shared = set.intersection(*names) if names else set()
    scores = [len(words & (name - shared)) for name in names]
    best = max(scores)
    if best > 0 and scores.count(best) == 1:
        return choices[scores.index(best)]
    return None


def asks_to_go_back(text: str) -> bool:
    return bool(_BACK.search(normalize(text)))


def go_back(engine: ProcedureSearch, text: str, earlier: Sequence[Procedure]) -> Optional[Procedure]:
    """The earlier procedure a back-reference means: the one its words name, else the last one."""
    if not earlier:
        return None
    words = message_words(engine, text)
    scores = [len(words & name_words(engine, procedure)) for procedure in earlier]
    best = max(scores)
    if best > 0:
        return earlier[len(scores) - 1 - scores[::-1].index(best)]  # the latest among the best
    return earlier[-1]


_LEADING_KIND = re.compile(r"^(?:thu tuc\s+)?(?:cap lai|cap doi|cap moi|dang ky lai|gia han|doi|cap|dang ky)\s+")


def requested_kind(text: str) -> Optional[str]:
    folded = without_attribute_cues(text)
    return next((kind for kind, pattern in _KIND_PATTERNS if pattern.search(folded)), None)


def sibling(engine: ProcedureSearch, catalogue, text: str, current: Procedure) -> Optional[Procedure]:
    """The variant of the current procedure a message asks for ("thế còn cấp lại?"), when it says little else."""
    kind = requested_kind(text)
    if kind is None or kind == kind_of(current)[0]:
        return None
    core = _LEADING_KIND.sub("", normalize(current.name))
    phrase = {"again": "cấp lại", "first": "cấp", "change": "cấp đổi", "extend": "gia hạn", "end": "chấm dứt"}[kind]
    core_words = _words(engine, core)
    found = []
    for rank, hit in enumerate(engine.search(f"{phrase} {core}", top=8)):
        candidate = catalogue.get(hit.code)
        if candidate is not None and candidate.code != current.code and kind_of(candidate)[0] == kind:
            shared = len(name_words(engine, candidate) & core_words) / max(1, len(core_words))
            if shared >= 0.5:
                found.append((-shared, rank, candidate))
    return min(found, key=lambda item: item[:2])[2] if found else None


def _shares_core(engine: ProcedureSearch, one: Procedure, other: Procedure) -> bool:
    """Whether two procedures are variants of one (most of the shorter name's words shared)."""
    first, second = name_words(engine, one), name_words(engine, other)
    return bool(first and second) and len(first & second) / min(len(first), len(second)) >= 0.5


def clearly_new(
    engine: ProcedureSearch, text: str, own_words: set, own_codes: Sequence[str], hits, current: Optional[Procedure] = None
) -> bool:
    """Whether search results name a procedure other than those under discussion clearly enough to switch.

    The message must add at least NEW_TOPIC_WORDS words of the other procedure's name that the
    discussed ones lack, and the engine must believe in it (or, among several, the name must be
    mostly asked for); a discussed procedure still about as likely keeps the thread.
    """
    if not hits:
        return False
    top = hits[0]
    if top.code in own_codes:
        return False
    discussed = [hit for hit in hits if hit.code in own_codes]
    if discussed and discussed[0].confidence >= top.confidence / 2:
        return False
    new_words = (message_words(engine, text) & _words(engine, top.name)) - own_words
    if len(new_words) < NEW_TOPIC_WORDS:
        return False
    switching = bool(_SWITCH_LEAD.search(normalize(text)))  # "thế còn …", "hỏi thêm …"
    if (current is not None and not switching and new_words <= record_words(engine, current)
            and top.precision < SWITCH_NAME_SHARE):
        return False  # words of the current record ("khám sức khoẻ" for a driving licence) are a follow-up
    # A message that opens as a switch ("thế còn hộ chiếu?") needs less to name the other procedure.
    share, weight = (MIN_SWITCH_NAME_SHARE, SPECIFIC_WORDS) if not switching else (MIN_SWITCH_NAME_SHARE / 2, SPECIFIC_WORDS / 2)
    specific = top.precision >= share or sum(engine.weight(word) for word in new_words) >= weight
    if not specific:
        return False  # a few common words of a long name ("nhận … bằng" in "xác nhận bảng kê") name nothing
    if top.confidence >= SWITCH_CONFIDENCE:
        return True
    return top.precision >= SWITCH_NAME_SHARE or sum(engine.weight(word) for word in new_words) >= SPECIFIC_WORDS


def foreign_words(engine: ProcedureSearch, text: str, procedure: Procedure) -> set:
    """Words of a message found neither in the procedure's name nor anywhere in its record."""
    return message_words(engine, text) - name_words(engine, procedure) - record_words(engine, procedure)


_RECORD_WORDS: Dict[Tuple[int, str], frozenset] = {}


def record_words(engine: ProcedureSearch, procedure: Procedure) -> frozenset:
    """Every word of a procedure's record (documents, conditions, steps, results, agency…), folded."""
    key = (id(engine), procedure.code)
    if key not in _RECORD_WORDS:
        texts = [procedure.field or "", procedure.agency or "", procedure.receiving_address or ""]
        texts += [document.name for document in procedure.documents] + list(procedure.conditions)
        texts += list(procedure.steps) + list(procedure.results) + list(procedure.audience)
        _RECORD_WORDS[key] = frozenset(normalize(" ".join(texts)).split())
    return _RECORD_WORDS[key]


@dataclass(frozen=True)
class Resolution:
    """What to do with a message: answer `procedure`, offer `choices`, or search afresh (`search`)."""

    kind: str  # picked | back | sibling | follow_up | new | choices | not_found
    procedure: Optional[Procedure] = None
    choices: Sequence[Procedure] = ()


def refined(
    engine: ProcedureSearch, catalogue, text: str, previous_text: str, exclude: Optional[Procedure] = None
) -> Optional[Procedure]:
    """The procedure the previous question and this answer name together ("giải thể" + "hợp tác xã
    nông nghiệp"), when the engine is sure of it; never `exclude` (the one already discussed)."""
    if not previous_text or previous_text.startswith("/") or not message_words(engine, text):
        return None  # "mấy ngày thì có" adds nothing to the question: no refinement
    hits = decide(engine.search(f"{previous_text} {without_attribute_cues(text)}", top=5))
    if len(hits) != 1 or hits[0].confidence < ANSWER_CONFIDENCE:
        return None
    found = catalogue.get(hits[0].code)
    if found is None or (exclude is not None and found.code == exclude.code):
        return None
    return found


def resolve(
    engine: ProcedureSearch, catalogue, text: str, state: ProcedureState, previous_text: str = ""
) -> Resolution:
    """Place a message in the conversation's procedure thread (`previous_text`: the citizen's
    message before this one, which an answer to a question refines)."""
    offered = [p for p in (catalogue.get(code) for code in state.choices) if p is not None]
    current = catalogue.get(state.current or "")
    earlier = [p for p in (catalogue.get(code) for code in state.history) if p is not None]
    # Within a thread, attribute phrases ("mất phí", "vneid") must not search for procedures;
    # a first question is searched as the engine reads it (it drops attribute words its own way).
    threaded = bool(current or offered)
    hits = decide(engine.search((without_attribute_cues(text) if threaded else "") or text, top=5))
    picked = pick_choice(engine, text, offered, previous_text)
    if picked is not None:
        return Resolution("picked", picked)
    if asks_to_go_back(text) and (earlier or (current and offered)):
        named = [hit for hit in hits if hit.code in state.history]
        target = catalogue.get(named[0].code) if named else go_back(engine, text, earlier + ([current] if current else []))
        if target is not None:
            return Resolution("back", target)
    discussed = ([current] if current else []) + offered
    if offered and previous_text:
        refinement = refined(engine, catalogue, text, previous_text)
        if refinement is not None and any(_shares_core(engine, refinement, choice) for choice in offered):
            return Resolution("picked", refinement)
    if discussed:
        own_words = set().union(*(name_words(engine, procedure) for procedure in discussed))
        if not clearly_new(engine, text, own_words, [procedure.code for procedure in discussed], hits, current):
            picked = pick_by_words(engine, text, offered)
            if picked is not None:
                return Resolution("picked", picked)
            if current is not None and not offered:
                variant = sibling(engine, catalogue, text, current)
                if variant is not None:
                    return Resolution("sibling", variant)
                # An answer that narrows the question down ("cô ấy ở Bằng Tường, sát biên giới"):
                # the variant of the current procedure that the two messages name together.
                extra = message_words(engine, text) - name_words(engine, current)
                if previous_text and extra and not attribute_intents(text):
                    narrower = refined(engine, catalogue, text, previous_text, exclude=current)
                    if narrower is not None and _shares_core(engine, narrower, current):
                        return Resolution("picked", narrower)
            if offered:
                return Resolution("choices", None, offered)  # still deciding between the offered ones
            if not hits and len(foreign_words(engine, text, current)) >= FOREIGN_WORDS:
                return Resolution("not_found")  # about something else, which no procedure names
            return Resolution("follow_up", current)
    if not hits:
        return Resolution("not_found")
    procedures = [p for p in (catalogue.get(hit.code) for hit in hits) if p is not None]
    if len(procedures) == 1:
        return Resolution("new", procedures[0])
    return Resolution("choices", None, procedures)
