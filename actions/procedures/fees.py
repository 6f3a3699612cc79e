"""What a fee cell of the catalogue means today: the rate that applies, its condition and period.

National records publish a fee as a head ("200,000 đồng", "Miễn phí") and a note that often
changes it: reduced rates for a period ("Kể từ ngày 01/12/2023 đến hết ngày 31/12/2025, áp dụng
mức thu … 115.000 đồng"), rates for a case ("Trường hợp cấp lại do bị mất: 400.000đ"), or a rate
that contradicts the head ("Miễn phí (Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần…)"). Read
literally, such a cell misleads. This module splits the note into clauses, reads the validity
period of each (dates after "từ", "đến", "hết"; a circular's own date is not a period) and says,
for a given day, which clauses apply, which ended and which are still to come. Pure functions.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

_DATE = r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"
_WORDY_DATE = r"(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
_ANY_DATE = re.compile(f"{_DATE}|{_WORDY_DATE}", re.IGNORECASE)
_DAY = r"(?:ngày\s+)?(?:" + _DATE + "|" + _WORDY_DATE + ")"
# "từ ngày D đến (hết) ngày D", "kể từ D tới D": both ends.
_RANGE = re.compile(r"(?:kể\s+)?từ\s+" + _DAY + r"\s*(?:,\s*)?(?:đến|tới|cho\s+đến)\s+(?:hết\s+)?" + _DAY, re.IGNORECASE)
_UNTIL = re.compile(r"(?:đến|tới)\s+(?:hết\s+)?" + _DAY + "|hết\\s+" + _DAY, re.IGNORECASE)
_UNTIL_YEAR = re.compile(r"(?:đến|tới)\s+hết\s+năm\s+(\d{4})", re.IGNORECASE)
_FROM = re.compile(r"(?:kể\s+)?từ\s+" + _DAY, re.IGNORECASE)
# An amount: grouped digits ("135.000", "1,500,000"), or digits / "triệu" with a currency word.
_AMOUNT = re.compile(
    r"(?<![\d/.,])(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(triệu\s*)?(đồng|đ\b|vnđ|việt nam đồng)?"
    r"(?!\s*(?:kg|tấn|m2|m²|m3|km|ha|%|người|chỗ|ghế|cm|lít|mã lực|kw|cc)\b)", re.IGNORECASE
)
_FREE = re.compile(r"\bmiễn\b|không\s+thu", re.IGNORECASE)
_CONDITION = re.compile(r"^\W*(trường hợp|đối với|riêng|nếu|khi|giảm|miễn|áp dụng)", re.IGNORECASE)
_FEE_WORD = re.compile(r"\b(phí|lệ phí|mức thu)\b", re.IGNORECASE)
# Where a note splits into clauses: new lines, bullets, "+", ";", a sentence end.
_CLAUSE_BREAK = re.compile(r"\n+|;\s*|(?<=[.)])\s+(?=[-+•*]|[A-ZĐÀ-Ỹ])|(?:^|\s)[-+•*]\s+")
_HEAD_FREE = re.compile(r"^\s*miễn phí", re.IGNORECASE)


def _date(groups: Tuple[Optional[str], ...]) -> Optional[dt.date]:
    """The first complete (day, month, year) among the regex groups, as a date."""
    numbers = [group for group in groups if group is not None]
    for index in range(0, len(numbers) - 2, 3):
        try:
            return dt.date(int(numbers[index + 2]), int(numbers[index + 1]), int(numbers[index]))
        except ValueError:
            return None
    return None


def _amounts(text: str) -> List[int]:
    """The VND amounts a clause states (grouped digits, or digits with a currency word)."""
    amounts = []
    for match in _AMOUNT.finditer(text):
        digits, million, currency = match.group(1), match.group(2), match.group(3)
        grouped = bool(re.search(r"[.,]\d{3}", digits))
        if not (grouped or currency):
            continue
        value = int(re.sub(r"[.,]", "", digits))
        if million:
            value *= 1_000_000
        if value >= 1000:
            amounts.append(value)
    return amounts


@dataclass(frozen=True)
class Period:
    """When a clause applies; an open end is None."""

    start: Optional[dt.date] = None
    end: Optional[dt.date] = None

    def status(self, today: dt.date) -> str:
        if self.end is not None and today > self.end:
            return "ended"
        if self.start is not None and today < self.start:
            return "future"
        return "current"


def read_period(text: str) -> Optional[Period]:
    """The validity period a clause states, or None when it states none (a circular's date is none)."""
    match = _RANGE.search(text)
    if match:
        groups = match.groups()
        start, end = _date(groups[:6]), _date(groups[6:])
        if start and end:
            return Period(start, end)
    match = _UNTIL.search(text)
    if match:
        end = _date(match.groups())
        if end:
            return Period(None, end)
    match = _UNTIL_YEAR.search(text)
    if match:
        return Period(None, dt.date(int(match.group(1)), 12, 31))
    match = _FROM.search(text)
    if match:
        start = _date(match.groups())
        if start:
            return Period(start, None)
    return None


@dataclass(frozen=True)
class Clause:
    """One clause of a fee note."""

    text: str
    amounts: Tuple[int, ...]
    period: Optional[Period]
    free: bool

    @property
    def matters(self) -> bool:
        """States a rate, an exemption or a condition (a bare citation does not)."""
        return bool(self.amounts or self.free or self.period or _CONDITION.match(self.text))


def _clean(text: str) -> str:
    text = " ".join(text.split()).strip(" -+•*;,")
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    # Unbalanced parentheses left by the split.
    if text.count("(") > text.count(")"):
        text += ")" * (text.count("(") - text.count(")"))
    elif text.count(")") > text.count("("):
        text = text.rstrip(")")
    return text.strip(" .;,")


def split_clauses(note: str) -> List[str]:
    """A note cut into its clauses (bullets, lines, sentences), empty pieces dropped."""
    return [piece for piece in (_clean(part) for part in _CLAUSE_BREAK.split(note or "")) if len(piece) > 2]


def read_clause(text: str) -> Clause:
    return Clause(text=text, amounts=tuple(_amounts(text)), period=read_period(text), free=bool(_FREE.search(text)))


@dataclass
class FeeReading:
    """A fee cell read: its head (amount, free or neither) and the clauses of its note."""

    head: str
    head_amount: Optional[int]
    head_free: bool
    clauses: List[Clause] = field(default_factory=list)

    @property
    def dated(self) -> bool:
        """Whether the cell gives a validity period anywhere."""
        return any(clause.period for clause in self.clauses)


def _split_head(text: str) -> Tuple[str, str]:
    """("200,000 đồng", note) from "200,000 đồng (note)"; the note's outer parentheses removed."""
    text = text.strip()
    start = text.find("(")
    if start < 0:
        return text, ""
    head, note = text[:start].strip(), text[start + 1 :].strip()
    if note.endswith(")"):
        note = note[:-1]
    return head, note


def read_fee(text: str, amount_vnd: Optional[int] = None) -> List[FeeReading]:
    """The readings of one fee cell (several when the record merged cases with " / ")."""
    readings = []
    for part in [piece for piece in re.split(r"\s+/\s+(?=\S)", text) if piece.strip()]:
        head, note = _split_head(part)
        amounts = _amounts(head)
        head_amount = amounts[0] if amounts else None
        if amount_vnd is not None and len(readings) == 0 and head_amount is None:
            head_amount = amount_vnd
        free = bool(_HEAD_FREE.match(head)) or head_amount == 0
        if not head and not note:
            continue
        if not amounts and not free and note:  # no head at all: the note is the whole cell
            note = f"{head} {note}".strip() if head else note
            head = ""
        readings.append(FeeReading(head, head_amount, free, [read_clause(c) for c in split_clauses(note)]))
    return readings


def vnd(amount: int) -> str:
    """200000 -> "200.000 đồng"."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def _day(date: dt.date) -> str:
    return f"{date.day:02d}/{date.month:02d}/{date.year}"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-(") + "…"


def _without_period(text: str) -> str:
    """A clause without its period phrase, which the line states itself."""
    for pattern in (_RANGE, _UNTIL, _UNTIL_YEAR, _FROM):
        text = pattern.sub(" ", text, count=1)
    text = re.sub(r"\(\s*(?:áp dụng\s*)?(?:theo[^()]*)?\)", " ", text)
    text = re.sub(r"\(\s*áp dụng\s+(theo[^()]*)\)", r"(\1)", text)
    return _clean(re.sub(r"^\W*(?:kể\s*)?,?\s*", "", " ".join(text.split())))


_PERCENT = re.compile(r"(giảm|bằng)\s+(\d{1,3})\s*%", re.IGNORECASE)


def _percent_of_head(text: str, head: Optional[int]) -> str:
    """" (tức 25.000 đồng)" for "bằng 50% mức thu" of a 50.000 đồng head; "" when not that simple."""
    match = _PERCENT.search(text)
    if not match or head is None or _amounts(text):
        return ""
    share = int(match.group(2))
    value = head * share // 100 if match.group(1).lower() == "bằng" else head * (100 - share) // 100
    return f" (tức {vnd(value)})" if 0 < value < head else ""


_CITATION = re.compile(r"^\W*(?:theo quy định tại\s+|căn cứ\s+)?(?:thông tư|nghị định|quyết định|luật)\b", re.IGNORECASE)


def _without_citation(text: str) -> str:
    """A clause without its trailing citation ("(theo Thông tư số … của Bộ Tài chính)")."""
    text = re.sub(r"\s+(?:theo quy định tại|theo|tại)\s+(?:Thông tư|Nghị định|Quyết định)\b.*$", "", text,
                  flags=re.IGNORECASE) or text
    text = re.sub(r"\s*\((?:theo|căn cứ|quy định tại)?[^()]*(?:Thông tư|Nghị định|Quyết định)[^()]*\)\s*$", "",
                  text, flags=re.IGNORECASE).strip() or text
    if text.count("(") > text.count(")") and ")" not in text[text.rfind("(") :]:
        text = text[: text.rfind("(")].rstrip(" ,;:") or text  # a parenthesis left open by the cuts above
    return text


@dataclass
class FeeToday:
    """What to tell a citizen about one fee cell on one day."""

    lines: List[str]
    contradiction: bool  # the head says free while the note sets a rate still in force


def fee_today(text: str, amount_vnd: Optional[int], today: dt.date, chars: int = 180) -> FeeToday:
    """The fee cell as it applies on `today`: the rate in force first, its condition, ended rates last.

    Never "Miễn phí" when a rate in force is stated; an ended rate is said to have ended, with its
    date; a rate to come is said with its start. Each line is at most about `chars` characters.
    """
    lines: List[str] = []
    contradiction = False
    for reading in read_fee(text, amount_vnd):
        in_force = [c for c in reading.clauses if c.matters and (not c.period or c.period.status(today) == "current")]
        ended = [c for c in reading.clauses if c.period and c.period.status(today) == "ended"]
        coming = [c for c in reading.clauses if c.period and c.period.status(today) == "future"]
        current_dated = [c for c in in_force if c.period]
        not_ended = [c for c in reading.clauses if not (c.period and c.period.status(today) != "current")]
        rate_in_note = any(c.amounts and not c.free for c in not_ended) or any(
            _FEE_WORD.search(c.text) and not c.free and re.search(r"theo quy định", c.text, re.IGNORECASE)
            for c in not_ended
        )
        head_ended = reading.head_amount is not None and reading.head_amount > 0 and any(
            reading.head_amount in c.amounts for c in ended
        ) and not any(reading.head_amount in c.amounts for c in in_force)
        free_ended = reading.head_free and any(c.free for c in ended) and not any(c.free for c in in_force)

        # The rate in force for a period comes first: it is what the citizen pays today.
        for clause in current_dated:
            until = f" đến hết ngày {_day(clause.period.end)}" if clause.period.end else ""
            shown = _without_citation(_without_period(clause.text)) or clause.text
            lines.append(f"Đang áp dụng{until}: {_shorten(shown, chars)}{_percent_of_head(clause.text, reading.head_amount)}")
        if reading.head_free and not free_ended:
            if rate_in_note:
                contradiction = True  # said as the note's rate, never as "Miễn phí"
            else:
                lines.append("Miễn phí")
        elif reading.head_amount and not head_ended:
            label = "Mức thông thường: " if current_dated else ""
            lines.append(f"{label}{reading.head if _amounts(reading.head) else vnd(reading.head_amount)}")
        elif head_ended:
            end = max(c.period.end for c in ended if reading.head_amount in c.amounts)
            later = "" if any(c.amounts for c in in_force) else "; danh mục chưa ghi mức thu áp dụng sau ngày đó"
            lines.append(f"Mức {vnd(reading.head_amount)} ghi trong danh mục chỉ áp dụng đến hết ngày {_day(end)}{later}")
        elif reading.head and not reading.head_free:
            lines.append(_shorten(reading.head, chars))
        for clause in not_ended:
            if clause.period or not (clause.matters or (_FEE_WORD.search(clause.text) and not _CITATION.match(clause.text))):
                continue
            if reading.head_amount and clause.amounts == (reading.head_amount,) and not _CONDITION.match(clause.text):
                continue  # the note only repeats the head
            lines.append(_shorten(_without_citation(clause.text), chars))
        for clause in coming:
            lines.append(f"Từ ngày {_day(clause.period.start)}: {_shorten(_without_citation(clause.text), chars)}")
        for clause in ended:
            if head_ended and reading.head_amount in clause.amounts:
                continue  # said with the head
            rates = ", ".join(vnd(amount) for amount in clause.amounts[:2])
            reduced = clause.free or _PERCENT.search(clause.text) or re.search(r"giảm", clause.text, re.IGNORECASE)
            what = "mức miễn, giảm" if reduced else (f"mức {rates}" if rates else "quy định")
            condition = " khi nộp trực tuyến" if re.search(r"trực tuy", clause.text, re.IGNORECASE) else ""
            lines.append(f"(Đã hết hạn: {what}{condition} chỉ áp dụng đến hết ngày {_day(clause.period.end)})")
    return FeeToday([line for line in dict.fromkeys(lines) if line], contradiction)


@dataclass
class FeeNoteCensus:
    """How the fee cells of a catalogue carry dates, and how many of them this module reads."""

    cells: int = 0
    with_any_date: int = 0  # a date anywhere, a circular's own date included
    with_period_words: int = 0  # a date after "từ", "đến", "hết": a validity period is meant
    periods_read: int = 0  # of those, cells where a period was read
    contradictions_left: int = 0  # head "Miễn phí" shown next to a rate in force (must be 0)


_PERIOD_WORDS = re.compile(r"(?:từ|đến|tới|hết)\s+(?:ngày\s+)?(?:" + _DATE + "|" + _WORDY_DATE + r")|hết\s+năm\s+\d{4}",
                           re.IGNORECASE)


def census(cells: List[Tuple[str, Optional[int]]], today: dt.date) -> FeeNoteCensus:
    """Count, over distinct fee cells (text, amount), the dated ones and the periods read."""
    result = FeeNoteCensus()
    for text, amount in dict.fromkeys(cells):
        result.cells += 1
        result.with_any_date += bool(_ANY_DATE.search(text))
        if _PERIOD_WORDS.search(text):
            result.with_period_words += 1
            result.periods_read += any(reading.dated for reading in read_fee(text, amount))
        shown = fee_today(text, amount, today).lines
        result.contradictions_left += any(
            line.startswith("Miễn phí") for line in shown
        ) and any(_amounts(line) for line in shown if not line.startswith("(Đã hết hạn"))
    return result
