"""Citizen-facing answers about one procedure, built only from its catalogue record.

Pure functions: a `Procedure` and an intent in, an `Answer` (Vietnamese text + buttons) out.
Every answer names the procedure first, says plainly when the record lacks the asked fact
(never guesses), ends with the source line, and stays phone-sized (`MAX_CHARS`): long lists
and long cells are shortened, and the rest is left to the official page.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from actions.procedures.clarify import clarify
from actions.procedures.fees import fee_today, read_fee
from actions.procedures.schema import (
    CHANNEL_LABELS,
    LEVEL_LABELS,
    Channel,
    ChannelKind,
    Procedure,
)

ATTRIBUTE_INTENTS: Dict[str, str] = {
    "ask_documents": "documents",
    "ask_forms": "forms",
    "ask_fee": "fee",
    "ask_duration": "duration",
    "ask_agency": "agency",
    "ask_steps": "steps",
    "ask_conditions": "conditions",
    "ask_result": "result",
    "ask_online": "online",
    "ask_legal_basis": "legal_basis",
}
OVERVIEW_INTENT = "ask_procedure"
# Buttons offered with an overview (and, minus the one just answered, after an answer).
OVERVIEW_BUTTONS: List[Tuple[str, str]] = [
    ("Giấy tờ cần nộp", "ask_documents"),
    ("Lệ phí", "ask_fee"),
    ("Thời gian", "ask_duration"),
    ("Nơi nộp", "ask_agency"),
    ("Các bước", "ask_steps"),
    ("Nộp trực tuyến", "ask_online"),
]
# What the answer is about, as said in "Danh mục chưa có thông tin về … của thủ tục này".
TOPICS: Dict[str, str] = {
    "documents": "giấy tờ cần nộp (thành phần hồ sơ)",
    "forms": "mẫu đơn, tờ khai",
    "fee": "lệ phí",
    "duration": "thời gian giải quyết",
    "agency": "cơ quan thực hiện và nơi nộp hồ sơ",
    "steps": "các bước thực hiện",
    "conditions": "yêu cầu, điều kiện",
    "result": "kết quả giải quyết",
    "online": "cách thức nộp hồ sơ",
    "legal_basis": "căn cứ pháp lý",
}

MAX_CHARS = 900  # whole text, source line included
NAME_CHARS = 200  # procedure name in the first line
BUTTON_NAME_CHARS = 80  # procedure name on a choose() button
MAX_CHOICES = 5
CHANNEL_ORDER = [ChannelKind.direct, ChannelKind.online, ChannelKind.postal]
MORE_TEXT = "… và {count} mục khác, xem đầy đủ tại trang chính thức."
UNKNOWN = "danh mục chưa có thông tin"  # one fact missing inside a longer answer
OFFICIAL_PAGE = "trang chính thức (đường dẫn ở dòng Nguồn bên dưới)"
# Page chrome glued to a cell by the national portal crawl, and the portal's "no information".
_CHROME = re.compile(r"Từ khóa|Chọn cơ quan thực hiện|Hệ thống chỉ hiển thị|-- Chọn")
_PLACEHOLDER = re.compile(r"^\s*(Không có thông tin|Không|N/?A|-+)\s*[.;:]?\s*$", re.IGNORECASE)
# "Không có thông tin" glued to the next cell ("Không có thông tinCơ quan thực hiện…"), as
# opposed to a real sentence that starts with those words ("Không có thông tin về …").
_GLUED_PLACEHOLDER = re.compile(r"^\s*Không có thông tin(?![ \t]+[a-zđà-ỹ])")
_LEADING_BULLET = re.compile(r"^[-*+•–]+\s+")
_STEP_LABEL = re.compile(r"^(Bước\s*\d+|B\d+\s*[:.])", re.IGNORECASE)


@dataclass
class Answer:
    """What the assistant says: the text and the quick-reply buttons."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)  # {"title": ..., "payload": ...}


@dataclass(frozen=True)
class _Limits:
    """How much of each list and cell to show; tightened until the answer fits MAX_CHARS."""

    items: int
    chars: int


# From the spec's "first 5 items, each cut to ~180 characters" down to the bare minimum.
_LIMIT_STEPS = [
    _Limits(5, 180),
    _Limits(5, 140),
    _Limits(5, 110),
    _Limits(4, 100),
    _Limits(3, 90),
    _Limits(3, 70),
    _Limits(2, 60),
    _Limits(1, 50),
]


# --- text helpers -------------------------------------------------------------------------


def shorten(text: object, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word boundary and ended with "…"."""
    text = _LEADING_BULLET.sub("", " ".join(str(text or "").split()))
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 1)]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–(/") + "…"


def _cut_keep_lines(text: str, limit: int) -> str:
    """Cut a multi-line text to `limit` characters at a word boundary, keeping its lines."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 1)]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" \n,;:.-–(/") + "…"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join_words(items: Sequence[str]) -> str:
    """["a", "b", "c"] -> "a, b và c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


def _usable(text: Optional[str]) -> Optional[str]:
    """A record cell without page chrome; None when nothing real is left."""
    if text is None:
        return None
    text = str(text)
    chrome = _CHROME.search(text)
    if chrome:
        text = text[: chrome.start()]
    text = text.strip()
    if not text or _PLACEHOLDER.match(text) or _GLUED_PLACEHOLDER.match(text):
        return None
    return text


def _usable_items(items: Iterable[Optional[str]]) -> List[str]:
    return [text for text in (_usable(item) for item in items) if text]


def _bullets(items: Sequence[str], limits: _Limits, numbered: bool = False) -> List[str]:
    """The first `limits.items` items as lines, then how many more there are."""
    lines = []
    for index, item in enumerate(items[: limits.items], 1):
        text = shorten(item, limits.chars)
        if numbered:
            lines.append(text if _STEP_LABEL.match(text) else f"{index}. {text}")
        else:
            lines.append(f"- {text}")
    if len(items) > limits.items:
        lines.append(MORE_TEXT.format(count=len(items) - limits.items))
    return lines


# --- shared parts -------------------------------------------------------------------------


def _level_text(procedure: Procedure) -> str:
    labels = [LEVEL_LABELS[level] for level in procedure.levels if level in LEVEL_LABELS]
    return _join_words(list(dict.fromkeys(labels)))


def _title_line(procedure: Procedure, with_level: bool = True) -> str:
    """'Thủ tục “<official name>” (cấp tỉnh)': the level only when the name does not say it."""
    name = shorten(procedure.name, NAME_CHARS)
    line = f"Thủ tục “{name}”"
    levels = _level_text(procedure)
    labels = [LEVEL_LABELS[level] for level in procedure.levels if level in LEVEL_LABELS]
    if with_level and levels and not any(label in procedure.name.lower() for label in labels):
        line += f" ({levels})"
    return line


def source_line(procedure: Procedure) -> str:
    """'Nguồn: <source_url> (dữ liệu lấy ngày dd/mm/yyyy)' for crawled records, else '(cập nhật dd/mm/yyyy)'.

    A crawled record says when its data was taken from the source, not when it was imported here.
    """
    if procedure.taken:
        return f"Nguồn: {procedure.source_url} (dữ liệu lấy từ nguồn ngày {procedure.taken:%d/%m/%Y})"
    return f"Nguồn: {procedure.source_url} (cập nhật {procedure.checked:%d/%m/%Y})"


def _hotline() -> str:
    try:
        from actions.settings import service_centre

        return service_centre().hotline_text()
    except Exception:  # settings are optional here: an answer must never fail on them
        return ""


def see_official() -> str:
    """Where to look instead: the official page, and the hotline when one is configured."""
    hotline = _hotline()
    call = f" hoặc gọi {hotline}" if hotline else ""
    return f"Bạn vui lòng xem {OFFICIAL_PAGE}{call}."


def missing(topic: str) -> str:
    """The sentence for a fact the record does not have, pointing to the official page."""
    return f"Danh mục chưa có thông tin về {topic} của thủ tục này. {see_official()}"


def _channels(procedure: Procedure) -> List[Channel]:
    """The procedure's channels in a fixed order: direct, online, postal."""
    return sorted(procedure.channels, key=lambda channel: CHANNEL_ORDER.index(channel.kind))


def _per_channel(
    procedure: Procedure, label: str, value: Callable[[Channel], Optional[str]], limits: _Limits
) -> Optional[List[str]]:
    """Lines giving one value per channel, said once when every channel agrees; None if all unknown."""
    channels = _channels(procedure)
    values = [(channel, _usable(value(channel))) for channel in channels]
    if not any(text for _, text in values):
        return None
    groups: Dict[Optional[str], List[str]] = {}
    for channel, text in values:
        groups.setdefault(text, []).append(CHANNEL_LABELS[channel.kind])
    if len(groups) == 1:
        (text, kinds), = groups.items()
        return [f"{label} ({_join_words(kinds)}): {shorten(text, limits.chars)}"]
    lines = [f"{label}:"]
    for text, kinds in groups.items():
        shown = shorten(text, limits.chars) if text else UNKNOWN
        lines.append(f"- {_capitalise(_join_words(kinds))}: {shown}")
    return lines


def _notes(procedure: Procedure, limits: _Limits) -> List[str]:
    """The channels' published notes ("Mô tả": usually when the time starts to run), each said once."""
    groups: Dict[str, List[str]] = {}
    channels = _channels(procedure)
    for channel in channels:
        note = _usable(channel.note)
        duration = _usable(channel.duration.text) if channel.duration else None
        if note and " ".join(note.split()) != duration:
            groups.setdefault(" ".join(note.split()), []).append(CHANNEL_LABELS[channel.kind])
    lines = []
    for note, kinds in groups.items():
        if len(groups) == 1 and len(kinds) == len(channels):
            lines.append(f"Ghi chú: {shorten(note, limits.chars)}")
        else:
            lines.append(f"Ghi chú ({_join_words(kinds)}): {shorten(note, limits.chars)}")
    return lines


def _online_channel(procedure: Procedure) -> Optional[Channel]:
    return procedure.channel(ChannelKind.online)


# --- one body per attribute ---------------------------------------------------------------
# Each returns the lines between the title line and the source line.


def _fee_text(channel: Channel) -> Optional[str]:
    return channel.fee.text if channel.fee else None


def _duration_text(channel: Channel) -> Optional[str]:
    return channel.duration.text if channel.duration else None


def _fee_lines(channel: Channel, today: dt.date, limits: _Limits) -> Optional[str]:
    """A channel's fee as it applies today (see fees.fee_today), one text; None when unknown."""
    text = _usable(_fee_text(channel))
    if not text:
        return None
    amount = channel.fee.amount_vnd if channel.fee else None
    lines = fee_today(text, amount, today, chars=limits.chars).lines
    return ". ".join(lines) if lines else None


def _fee(procedure: Procedure, limits: _Limits, today: Optional[dt.date] = None) -> List[str]:
    today = today or dt.date.today()
    channels = _channels(procedure)
    values = [(channel, _fee_lines(channel, today, limits)) for channel in channels]
    if not any(text for _, text in values):
        return [missing(TOPICS["fee"])]
    groups: Dict[Optional[str], List[str]] = {}
    for channel, text in values:
        groups.setdefault(text, []).append(CHANNEL_LABELS[channel.kind])
    if len(groups) == 1:
        (text, kinds), = groups.items()
        lines = [f"Phí, lệ phí ({_join_words(kinds)}): {text}"]
    else:
        lines = ["Phí, lệ phí:"]
        lines += [f"- {_capitalise(_join_words(kinds))}: {text or UNKNOWN}" for text, kinds in groups.items()]
    if any(channel.fee and any(reading.dated for reading in read_fee(channel.fee.text)) for channel in channels):
        lines.append(f"(Mức thu theo quy định áp dụng ngày {today:%d/%m/%Y}, theo ghi chú của danh mục.)")
    return lines


def _duration(procedure: Procedure, limits: _Limits) -> List[str]:
    lines = _per_channel(procedure, "Thời gian giải quyết", _duration_text, limits)
    if not lines:
        return [missing(TOPICS["duration"])]
    return lines + _notes(procedure, limits)


def _agency(procedure: Procedure, limits: _Limits) -> List[str]:
    agency = _usable(procedure.agency)
    address = _usable(procedure.receiving_address)
    authority = _usable(procedure.competent_authority)
    if not (agency or address or authority):
        return [missing(TOPICS["agency"])]
    lines = [f"Cơ quan thực hiện: {shorten(agency, limits.chars) if agency else UNKNOWN}"]
    if address:
        lines.append(f"Địa chỉ tiếp nhận hồ sơ: {shorten(address, limits.chars)}")
    else:
        lines.append(f"Địa chỉ tiếp nhận hồ sơ: danh mục chưa ghi địa chỉ cụ thể, bạn xem {OFFICIAL_PAGE}.")
    if authority and authority != agency:
        lines.append(f"Cơ quan có thẩm quyền quyết định: {shorten(authority, limits.chars)}")
    return lines


def _online(procedure: Procedure, limits: _Limits) -> List[str]:
    if not procedure.channels:
        return [
            "Danh mục chưa có thông tin về cách thức nộp hồ sơ của thủ tục này, "
            "nên mình chưa biết có nộp trực tuyến được không.",
            see_official(),
        ]
    channel = _online_channel(procedure)
    if channel is None:
        others = _join_words([CHANNEL_LABELS[c.kind] for c in _channels(procedure)])
        return [
            "Theo danh mục, thủ tục này chưa có hình thức nộp trực tuyến.",
            f"Bạn có thể {others}.",
        ]
    if procedure.online_url:
        lines = [f"Có, thủ tục này nộp trực tuyến được tại: {procedure.online_url}"]
    else:
        lines = [
            "Có, danh mục ghi thủ tục này có hình thức nộp trực tuyến, nhưng chưa có đường dẫn "
            f"nộp cụ thể; bạn xem {OFFICIAL_PAGE}."
        ]
    duration = _usable(channel.duration.text) if channel.duration else None
    fee = _fee_lines(channel, dt.date.today(), limits)
    if duration:
        lines.append(f"Thời gian giải quyết khi nộp trực tuyến: {shorten(duration, limits.chars)}")
    if fee:
        lines.append(f"Phí, lệ phí khi nộp trực tuyến: {fee}")
    return lines


def _quantity(quantity: Optional[str]) -> Optional[str]:
    """"1 bản chính, 1 bản sao" as published, without the zero counts ("0 bản chính" says nothing)."""
    quantity = _usable(quantity)
    if not quantity:
        return None
    parts = [part.strip() for part in quantity.split(",") if part.strip()]
    kept = [part for part in parts if not re.match(r"^0+\s", part)]
    return ", ".join(kept) or None


def _document_line(name: str, quantity: Optional[str], limits: _Limits) -> str:
    quantity = _quantity(quantity)
    if quantity:
        return f"- {shorten(name, limits.chars)} ({quantity})"
    return f"- {shorten(name, limits.chars)}"


_CONDITIONAL = re.compile(r"^\W*(trường hợp|đối với|nếu|lưu ý|ghi chú|riêng)\b", re.IGNORECASE)


def _folded_words(text: str) -> set:
    from bot.nlu.vietnamese_text import fold

    return set(re.sub(r"[^0-9a-z]+", " ", fold(text or "").lower()).split())


def _documents(procedure: Procedure, limits: _Limits, hint: str = "") -> List[str]:
    # Papers everyone submits first; those for a particular case ("Trường hợp …") after them.
    groups = [
        (group.case, sorted([doc for doc in group.documents if _usable(doc.name)],
                            key=lambda doc: bool(_CONDITIONAL.match(doc.name))))
        for group in procedure.document_groups
    ]
    groups = [(case, docs) for case, docs in groups if docs]
    hint_words = _folded_words(hint) - _COMMON_CASE_WORDS
    overlap = [0]
    if hint_words and len(groups) > 1:
        # The case the citizen described comes first ("nhà 3 tầng" before religious buildings).
        overlap = [len(hint_words & _folded_words(case or "")) for case, _ in groups]
        if max(overlap) > 0:
            order = sorted(range(len(groups)), key=lambda index: -overlap[index])
            groups = [groups[index] for index in order]
    total = sum(len(docs) for _, docs in groups)
    if not total:
        return [missing(TOPICS["documents"])]
    if len(groups) == 1:
        docs = groups[0][1]
        lines = [f"Hồ sơ gồm {total} giấy tờ:"]
        lines += [_document_line(doc.name, doc.quantity_text, limits) for doc in docs[: limits.items]]
        if total > limits.items:
            lines.append(MORE_TEXT.format(count=total - limits.items))
        return lines
    # Several cases: name each shown case, and share the item budget fairly between them.
    shown_groups = groups[: limits.items]
    quota = [0] * len(shown_groups)
    budget = limits.items
    while budget > 0 and any(quota[i] < len(docs) for i, (_, docs) in enumerate(shown_groups)):
        for index, (_, docs) in enumerate(shown_groups):
            if budget > 0 and quota[index] < len(docs):
                quota[index] += 1
                budget -= 1
    lines = [f"Hồ sơ ({total} giấy tờ) chia theo {len(groups)} trường hợp:"]
    if len(groups) >= 3 and not (hint_words and max(overlap) > 0):
        lines[0] += " bạn cho mình biết bạn thuộc trường hợp nào để lọc đúng giấy tờ nhé."
    shown = 0
    for index, ((case, docs), count) in enumerate(zip(shown_groups, quota), 1):
        case_name = _usable(case)
        label = shorten(case_name, limits.chars).rstrip(" :") if case_name else ""
        lines.append(f"{label or f'Trường hợp {index}'}:")
        lines += [_document_line(doc.name, doc.quantity_text, limits) for doc in docs[:count]]
        shown += count
    if total > shown:
        hidden_cases = len(groups) - len(shown_groups)
        more = MORE_TEXT.format(count=total - shown)
        if hidden_cases:
            more = more.replace(" mục khác,", f" mục khác (kể cả {hidden_cases} trường hợp chưa hiện),")
        lines.append(more)
    return lines


_COMMON_CASE_WORDS = frozenset(
    "truong hop doi voi ho so gom thanh phan giay to nop cua cho va cac la co the khi thi phai duoc tai nhung mot".split()
)


def _forms(procedure: Procedure, limits: _Limits) -> List[str]:
    documents = [doc for doc in procedure.documents if _usable(doc.name)]
    if not documents:
        return [missing(TOPICS["forms"])]
    with_forms = [(doc, _usable_items(doc.forms)) for doc in documents]
    with_forms = [(doc, forms) for doc, forms in with_forms if forms]
    if not with_forms:
        return [
            "Danh mục không liệt kê mẫu đơn, tờ khai nào cho thủ tục này.",
            f"Nếu cần, bạn xem thêm {OFFICIAL_PAGE}.",
        ]
    items = [f"{shorten(doc.name, limits.chars // 2)} – mẫu: {'; '.join(forms)}" for doc, forms in with_forms]
    # (the document name gets half of the room so that the form names stay visible)
    lines = ["Các giấy tờ có mẫu đơn, tờ khai:"] + _bullets(items, limits)
    lines.append(f"Bạn tải mẫu tại {OFFICIAL_PAGE}.")
    return lines


def _list_answer(
    topic: str, heading: str, items: List[str], numbered: bool = False
) -> Callable[[_Limits], List[str]]:
    def body(limits: _Limits) -> List[str]:
        if not items:
            return [missing(TOPICS[topic])]
        return [heading] + _bullets(items, limits, numbered=numbered)

    return body


def _legal_items(procedure: Procedure) -> List[str]:
    items = []
    for document in procedure.legal_basis:
        title = _usable(document.title) or ""
        code = _usable(document.code) or ""
        if code and code not in title:
            items.append(f"{code}: {title}" if title else code)
        elif title:
            items.append(title)
    return items


def _body(procedure: Procedure, attribute: str, hint: str = "") -> Callable[[_Limits], List[str]]:
    """The body builder for one attribute."""
    simple = {
        "fee": _fee,
        "duration": _duration,
        "agency": _agency,
        "online": _online,
        "documents": _documents,
        "forms": _forms,
    }
    if attribute == "documents":
        return lambda limits: _documents(procedure, limits, hint)
    if attribute in simple:
        return lambda limits: simple[attribute](procedure, limits)
    if attribute == "steps":
        return _list_answer("steps", "Các bước thực hiện:", _usable_items(procedure.steps), numbered=True)
    if attribute == "conditions":
        return _list_answer("conditions", "Yêu cầu, điều kiện:", _usable_items(procedure.conditions))
    if attribute == "result":
        return _list_answer("result", "Kết quả bạn nhận được:", _usable_items(procedure.results))
    if attribute == "legal_basis":
        return _list_answer("legal_basis", "Căn cứ pháp lý:", _legal_items(procedure))
    raise ValueError(f"unknown attribute: {attribute}")


def _fit(head: str, body: Callable[[_Limits], List[str]], tail: str) -> str:
    """head + body + tail within MAX_CHARS, showing as much of the body as fits."""
    text = ""
    for limits in _LIMIT_STEPS:
        text = "\n".join([head, *body(limits), tail])
        if len(text) <= MAX_CHARS:
            return text
    # Even the tightest limits are too long (very long fixed sentences): cut the body itself.
    lines = body(_LIMIT_STEPS[-1])
    room = MAX_CHARS - len(head) - len(tail) - 2
    return "\n".join([head, _cut_keep_lines("\n".join(lines), max(room, 1)), tail])


# --- public API ---------------------------------------------------------------------------


def procedure_payload(intent: str, code: str) -> str:
    """Rasa payload that asks `intent` about one procedure: '/ask_fee{"procedure_code":"1.001456"}'."""
    if intent != OVERVIEW_INTENT and intent not in ATTRIBUTE_INTENTS:
        raise ValueError(f"not a procedure intent: {intent}")
    entities = json.dumps({"procedure_code": code}, ensure_ascii=False, separators=(",", ":"))
    return f"/{intent}{entities}"


def _buttons(procedure: Procedure, skip: str = "") -> List[Dict[str, str]]:
    return [
        {"title": title, "payload": procedure_payload(intent, procedure.code)}
        for title, intent in OVERVIEW_BUTTONS
        if intent != skip
    ]


def overview(procedure: Procedure) -> Answer:
    """Short summary (field, level, agency, channels with time, online or not) + attribute buttons."""

    def body(limits: _Limits) -> List[str]:
        field_name = _usable(procedure.field)
        agency = _usable(procedure.agency)
        levels = _level_text(procedure)
        lines = [
            f"Lĩnh vực: {shorten(field_name, limits.chars) if field_name else UNKNOWN}",
            f"Cấp thực hiện: {levels or UNKNOWN}",
            f"Cơ quan thực hiện: {shorten(agency, limits.chars) if agency else UNKNOWN}",
        ]
        if procedure.channels:
            durations = _per_channel(procedure, "Cách nộp và thời gian giải quyết", _duration_text, limits)
            if durations:
                lines += durations
            else:
                kinds = _join_words([CHANNEL_LABELS[c.kind] for c in _channels(procedure)])
                lines.append(f"Cách nộp: {kinds} (danh mục chưa có thông tin về thời gian giải quyết)")
            online = "được" if _online_channel(procedure) else "danh mục chưa ghi hình thức nộp trực tuyến"
        else:
            lines.append(f"Cách nộp và thời gian giải quyết: {UNKNOWN}")
            online = UNKNOWN
        lines.append(f"Nộp trực tuyến: {online}")
        lines.append("Bạn muốn xem thêm thông tin nào?")
        return lines

    text = _fit(_title_line(procedure, with_level=False), body, source_line(procedure))
    return Answer(text=text, buttons=_buttons(procedure))


def answer(procedure: Procedure, intent: str, hint: str = "") -> Answer:
    """Answer one attribute intent (see ATTRIBUTE_INTENTS) from the record; "ask_procedure" gives overview().

    The buttons offer the other main attributes of the same procedure.
    """
    if intent == OVERVIEW_INTENT:
        return overview(procedure)
    if intent not in ATTRIBUTE_INTENTS:
        raise ValueError(f"not a procedure intent: {intent}")
    body = _body(procedure, ATTRIBUTE_INTENTS[intent], hint)
    text = _fit(_title_line(procedure), body, source_line(procedure))
    return Answer(text=text, buttons=_buttons(procedure, skip=intent))


def answer_parts(procedure: Procedure, intents: Sequence[str], hint: str = "") -> Answer:
    """One answer to a question of several parts ("hồ sơ gì và nộp ở đâu"): each part's facts, in order."""
    intents = [intent for intent in dict.fromkeys(intents) if intent in ATTRIBUTE_INTENTS]
    if len(intents) < 2:
        return answer(procedure, intents[0] if intents else OVERVIEW_INTENT, hint)
    bodies = [_body(procedure, ATTRIBUTE_INTENTS[intent], hint) for intent in intents]
    head, tail = _title_line(procedure), source_line(procedure)
    # Each part gets an equal share of the room, so that no part is cut away by the one before.
    room = (MAX_CHARS - len(head) - len(tail) - 2) // len(bodies) - 1
    parts = []
    for body in bodies:
        fitted = None
        for limits in _LIMIT_STEPS:
            candidate = "\n".join(body(limits))
            if len(candidate) <= room:
                fitted = candidate
                break
        parts.append(fitted if fitted is not None else _cut_keep_lines("\n".join(body(_LIMIT_STEPS[-1])), max(room, 1)))
    text = "\n".join([head, *parts, tail])
    buttons = [button for button in _buttons(procedure) if not any(f"/{intent}{{" in button["payload"] for intent in intents)]
    return Answer(text=text, buttons=buttons)


def _choice_titles(procedures: Sequence[Procedure]) -> List[str]:
    """Button titles: the name (cut), plus the level when names look alike, plus the code if still equal."""
    names = [shorten(p.name, BUTTON_NAME_CHARS) for p in procedures]
    titles = []
    for name, procedure in zip(names, procedures):
        levels = _level_text(procedure)
        titles.append(f"{name} ({levels})" if names.count(name) > 1 and levels else name)
    final = list(titles)
    for index, procedure in enumerate(procedures):
        if titles.count(titles[index]) > 1:  # same name and level: the code tells them apart
            final[index] = f"{titles[index]} – mã {procedure.code}"
    return final


def choose(procedures: Sequence[Procedure], intent: str) -> Answer:
    """Ask which procedure is meant: one button per procedure (at most MAX_CHOICES) for the same intent."""
    if intent != OVERVIEW_INTENT and intent not in ATTRIBUTE_INTENTS:
        raise ValueError(f"not a procedure intent: {intent}")
    unique = list({procedure.code: procedure for procedure in procedures}.values())[:MAX_CHOICES]
    if not unique:
        return Answer(
            text="Mình chưa tìm thấy thủ tục phù hợp. Bạn có thể nói rõ hơn tên thủ tục bạn cần không?",
            buttons=[],
        )
    titles = _choice_titles(unique)
    clarification = clarify(unique)
    if len(unique) == 1:
        text = f"Có phải bạn muốn hỏi thủ tục “{shorten(unique[0].name, NAME_CHARS)}”?"
    elif clarification is not None:  # siblings: ask what tells them apart, with short buttons
        text, titles = clarification.question, clarification.titles
    else:
        text = f"Mình tìm thấy {len(unique)} thủ tục gần với câu hỏi. Bạn muốn hỏi thủ tục nào?"
    buttons = [
        {"title": title, "payload": procedure_payload(intent, procedure.code)}
        for title, procedure in zip(titles, unique)
    ]
    return Answer(text=text, buttons=buttons)
