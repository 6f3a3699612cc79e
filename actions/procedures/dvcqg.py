"""Convert national portal records (dichvucong.gov.vn crawl, ../shared/datasets/dvcqg) to the catalogue.

The portal's tables arrive flattened: cells are glued together without separators. The
parsers below cut them back into rows using what every cell ends with (a channel name, a
quantity such as "1 bản chính", a legal document number). "Không có thông tin" becomes a
missing value, never a value.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from actions.procedures.catalogue import CatalogueError, parse_record
from actions.procedures.schema import Procedure

NO_INFO = "Không có thông tin"
_CHANNELS = {"Trực tiếp": "direct", "Trực tuyến": "online", "Dịch vụ bưu chính": "postal"}
_CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
# A row starts where a channel name is glued to its time or fee cell.
_CHANNEL_ROW = re.compile(r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\d|Không có thông tin|Miễn phí|Lệ phí|Phí)")
_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*(Ngày làm việc|Ngày|Giờ làm việc|Giờ|Tháng|Năm)?", re.IGNORECASE)
_UNITS = {
    "ngày làm việc": ("working_days", "ngày làm việc"),
    "ngày": ("days", "ngày"),
    "giờ làm việc": ("hours", "giờ làm việc"),
    "giờ": ("hours", "giờ"),
    "tháng": ("months", "tháng"),
    "năm": ("years", "năm"),
}
_AMOUNT = re.compile(r"(\d[\d.,]*)\s*(Việt Nam Đồng|VNĐ|Đồng|đồng|USD)")
# A "free" note that really says nothing (the portal often writes "Miễn phí(Không)").
_EMPTY_NOTE = re.compile(r"^\(?\s*(không|không có|không quy định|miễn phí|không thu)?\s*[.;]?\s*\)?$", re.IGNORECASE)

_DOCS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# Quantity cell that ends a document row: "1 bản chính", "0 bản chính,1 bản sao", "2 bản sao".
# Two digits only when not glued to a previous number ("...20261 bản chính" is year 2026 + "1").
_QUANTITY = re.compile(
    r"(?:(?<=\D)(\d{1,2})|(\d)) bản chính(?:,\s?(\d{1,2}) bản sao)?(?!\s)|(?:(?<=\D)(\d{1,2})|(\d)) bản sao(?![\s\w])"
)
_FORM_FILE = re.compile(r"\.(docx?|pdf|xlsx?|odt|rtf|rar|zip)$", re.IGNORECASE)
_UPPER = "A-ZĐÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴ"
_LOWER = "a-zđàáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ"
# Where two cells were glued: a lower-case letter, digit or closing punctuation, then a capital.
_GLUE = re.compile(rf"(?<=[{_LOWER}0-9.;:)\]])(?=[{_UPPER}])")

_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
# A document number that ends a row: followed by the end or by the next title ("…QH14Luật …").
_LEGAL_CODE = re.compile(rf"\d+/(?:\d{{4}}/)?[A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*(?=$|[{_UPPER}][{_LOWER}])")
_RESULT_CODE = re.compile(r"Mã:\s*KQ\.[A-Za-z0-9]+\.\d+")
_RESULT_CHROME = re.compile(r"Từ khóa|Chọn cơ quan thực hiện|Hệ thống chỉ hiển thị")
_CELL_CHROME = re.compile(r"Từ khóa|Chọn cơ quan thực hiện|Hệ thống chỉ hiển thị|(?<=\S)Cơ quan thực hiện|Mô tảKhông có thông tin")
_LEVELS = {"cấp bộ": "central", "cấp tỉnh": "provincial", "cấp huyện": "district", "cấp xã": "commune", "cơ quan khác": "other"}
_STEP_START = re.compile(r"^[\s\-+*•]*(Bước\s*\d+|B\d+\s*[:.])", re.IGNORECASE)
_BULLET = re.compile(r"^[\s\-+*•–]+")


def clean(value: Any) -> Optional[str]:
    """Strip a text cell; "Không có thông tin" and empty cells become None."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"[ \t\u00a0]+", " ", value).strip()
    if not text or text.lower().strip(" .") in {"không có thông tin", "không", "--", "-"}:
        return None
    return text


def one_line(value: Any) -> Optional[str]:
    """clean() for single-line fields: every run of white space becomes one space."""
    text = clean(value)
    return " ".join(text.split()) if text else None


def _number(text: str) -> Optional[float]:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _split_note(text: str) -> Tuple[Optional[str], str]:
    """Split a leading balanced "(...)" note from the rest of a cell."""
    if not text.startswith("("):
        return None, text
    depth = 0
    for index, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if depth == 0:
            return text[1:index].strip(), text[index + 1 :]
    return text[1:].strip(), ""


def parse_duration(cell: str) -> Tuple[Optional[Dict[str, Any]], str]:
    """Parse the time cell at the start of `cell`; return (duration or None, rest)."""
    if cell.startswith(NO_INFO):
        return None, cell[len(NO_INFO) :]
    match = _DURATION.match(cell)
    if not match:
        return None, cell
    value = _number(match.group(1))
    unit_text = (match.group(2) or "").lower()
    unit, label = _UNITS.get(unit_text, (None, ""))
    number = match.group(1)
    text = f"{number} {label}".strip() if label else f"{number} (nguồn không ghi đơn vị)"
    return {"text": text, "value": value, "unit": unit}, cell[match.end() :]


def parse_fee(cell: str) -> Tuple[Optional[Dict[str, Any]], str]:
    """Parse the fee cell at the start of `cell` (with its "(...)" note); return (fee, rest)."""
    if cell.startswith(NO_INFO):
        note, rest = _split_note(cell[len(NO_INFO) :])
        if note and not _EMPTY_NOTE.match(note):
            return {"text": note, "free": False}, rest
        return None, rest
    if cell.startswith("Miễn phí"):
        note, rest = _split_note(cell[len("Miễn phí") :])
        if not note or _EMPTY_NOTE.match(note):
            return {"text": "Miễn phí", "free": True}, rest
        # "Miễn phí" followed by a note that sets a fee: keep the note, claim nothing.
        return {"text": f"Miễn phí ({note})", "free": False}, rest
    match = _AMOUNT.match(cell)
    if match:
        note, rest = _split_note(cell[match.end() :])
        currency = match.group(2)
        digits = re.sub(r"[.,]", "", match.group(1))
        amount = int(digits) if digits.isdigit() and currency != "USD" else None
        shown = f"{match.group(1)} {'USD' if currency == 'USD' else 'đồng'}"
        text = f"{shown} ({note})" if note else shown
        return {"text": text, "amount_vnd": amount, "free": amount == 0}, rest
    return None, cell


_CURRENCY_AHEAD = re.compile(r"^\s*(Việt Nam Đồng|VNĐ|Đồng|đồng|USD)")


def number_text(row: re.Match, text: str) -> str:
    """The digits right after a channel name (as published)."""
    return _DURATION.match(text[row.end() :]).group(1)


def parse_channels(text: Optional[str]) -> List[Dict[str, Any]]:
    """Rows of the "Cách thức thực hiện" table: one entry per channel, sub-rows merged."""
    text = (text or "").replace(_CHANNEL_HEADER, "", 1)
    rows = list(_CHANNEL_ROW.finditer(text))
    merged: Dict[str, Dict[str, Any]] = {}
    for index, row in enumerate(rows):
        end = rows[index + 1].start() if index + 1 < len(rows) else len(text)
        cell = text[row.end() : end]
        duration, cell = parse_duration(cell)
        if duration and duration["unit"] is None and _CURRENCY_AHEAD.match(cell):
            # "Trực tuyến120,000 VNĐ": a unit-less time glued to a fee; 1 + 20,000 or 120,000?
            # Neither can be told apart, so claim neither and say so.
            glued = re.match(r"[^(]*", cell).group().strip()
            duration, fee = None, None
            note = f"Nguồn ghi liền thời gian và lệ phí ({number_text(row, text)} {glued}), xem trang chính thức."
        else:
            fee, cell = parse_fee(cell)
            note = clean(cell)
        kind = _CHANNELS[row.group(1)]
        entry = {"kind": kind, "duration": duration, "fee": fee, "note": note}
        if kind not in merged:
            merged[kind] = entry
            continue
        # Several rows for one channel (one per case): keep every distinct text, drop numbers.
        previous = merged[kind]
        for key in ("duration", "fee"):
            old, new = previous[key], entry[key]
            if new and (not old or old["text"] != new["text"]):
                texts = [part for part in (old or {}).get("text", "").split(" / ") if part] + [new["text"]]
                previous[key] = {"text": " / ".join(dict.fromkeys(texts))}
                if key == "fee":
                    previous[key]["free"] = False
        if note and note != previous["note"]:
            previous["note"] = f"{previous['note']} / {note}" if previous["note"] else note
    return [{key: value for key, value in entry.items() if value is not None} for entry in merged.values()]


def _split_form(row: str) -> Tuple[str, List[str]]:
    """Cut form file names ("Mẫu TK01.docx") glued to the end of a document name."""
    forms: List[str] = []
    while _FORM_FILE.search(row):
        cuts = [match.start() for match in _GLUE.finditer(row) if match.start() > 0]
        start = cuts[-1] if cuts else 0
        forms.insert(0, row[start:].strip())
        row = row[:start].rstrip()
        if not row:
            break
    return row, forms


def _document(row: str, quantity: re.Match) -> Optional[Dict[str, Any]]:
    name, forms = _split_form(_BULLET.sub("", row).strip())
    if not name and forms:
        name = forms[0]
    name = clean(name)
    if not name or len(name) < 2:
        return None
    originals = quantity.group(1) or quantity.group(2)
    copies = quantity.group(3) or quantity.group(4) or quantity.group(5)
    document: Dict[str, Any] = {"name": name, "quantity_text": quantity.group(0)}
    if forms:
        document["forms"] = forms
    if originals is not None:
        document["originals"] = int(originals)
        document["copies"] = int(copies) if copies is not None else 0
    elif copies is not None:
        document["copies"] = int(copies)
    return document


def parse_documents(text: Optional[str]) -> List[Dict[str, Any]]:
    """Rows of "Thành phần hồ sơ", grouped by the case headings the portal puts before each table."""
    text = clean(text)
    if not text or _DOCS_HEADER not in text:
        return []
    parts = text.split(_DOCS_HEADER)
    case = parts[0]
    groups: List[Dict[str, Any]] = []
    for part in parts[1:]:
        documents: List[Dict[str, Any]] = []
        position = 0
        for quantity in _QUANTITY.finditer(part):
            document = _document(part[position : quantity.start()], quantity)
            if document:
                documents.append(document)
            position = quantity.end()
        case_name = clean(case.strip(" -:")) if case else None
        if documents:
            groups.append({"case": case_name, "documents": documents} if case_name else {"documents": documents})
        case = part[position:]  # text after the last row heads the next table
    return groups


def parse_legal_basis(text: Optional[str]) -> List[Dict[str, Any]]:
    """Rows of "Căn cứ pháp lý": title glued to its document number."""
    text = strip_chrome(text)
    if not text:
        return []
    text = text.replace(_LEGAL_HEADER, "", 1)
    rows: List[Dict[str, Any]] = []
    position = 0
    for match in _LEGAL_CODE.finditer(text):
        start, code = match.start(), match.group()
        title = text[position:start]
        # The title often ends with the same number ("Luật ... số 27/2023/QH15" + "27/2023/QH15"),
        # so "…QH1527/2023/QH15" must yield "27/2023/QH15", not "1527/2023/QH15".
        lead = re.match(r"\d+", code).group()
        cut = 0
        for candidate in range(1, len(lead)):
            # Keep the candidate if the title (with the digits cut off the number) names it.
            if re.search(rf"(?<!\d){re.escape(code[candidate:])}", text[position : start + candidate]):
                cut = candidate
                break
        else:
            if len(lead) > 4 and re.match(r"(19|20)\d\d", lead):
                cut = 4  # "…sửa đổi 202323/2023/QH15": a year glued to the number
        start, code = start + cut, code[cut:]
        title = text[position:start]
        title = clean(title.strip(" ,;.")) or ""
        if len(title.split()) < 3 and code not in title:
            title = f"{title} {code}".strip()
        rows.append({"title": title, "code": code})
        position = match.end()
    rest = clean(text[position:])
    if rest and len(rest) > 3:
        rows.append({"title": rest})
    return rows


def parse_results(text: Optional[str]) -> List[str]:
    """Result documents, without the page chrome that follows them."""
    text = clean(text)
    if not text:
        return []
    chrome = _RESULT_CHROME.search(text)
    if chrome:
        text = text[: chrome.start()]
    items = [clean(part.strip(" .;")) for part in _RESULT_CODE.split(text)]
    return [item for item in items if item and len(item) > 3]


def strip_chrome(text: Optional[str]) -> Optional[str]:
    """Drop page chrome glued after a cell ("Không có thông tinTừ khóa…", "…Cơ quan thực hiện…")."""
    text = clean(text)
    if not text:
        return None
    chrome = _CELL_CHROME.search(text)
    if chrome:
        text = text[: chrome.start()]
    if text.startswith(NO_INFO):
        text = text[len(NO_INFO) :]
    return clean(text)


def parse_lines(text: Optional[str], steps: bool = False) -> List[str]:
    """Split a text block into items; with `steps`, lines are grouped under their "Bước N"."""
    text = strip_chrome(text)
    if not text:
        return []
    lines = [line.strip() for line in text.splitlines() if clean(line)]
    if steps and any(_STEP_START.match(line) for line in lines):
        grouped: List[str] = []
        for line in lines:
            if _STEP_START.match(line) or not grouped:
                grouped.append(line)
            else:
                grouped[-1] = f"{grouped[-1]}\n{line}"
        return grouped
    return [_BULLET.sub("", line).strip() or line for line in lines]


def split_list(text: Optional[str]) -> List[str]:
    """Split "A, B (x, y), C" on commas outside parentheses."""
    text = clean(text)
    if not text:
        return []
    items, depth, current = [], 0, ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    return [item.strip() for item in items if item.strip()]


def parse_levels(text: Optional[str]) -> List[str]:
    """"Cấp bộ, Cấp tỉnh" → ["central", "provincial"]."""
    levels = [_LEVELS.get(item.lower()) for item in split_list(text)]
    return list(dict.fromkeys(level for level in levels if level))


# When each group of the national records was taken from dichvucong.gov.vn: the day the crawl's
# output was committed to chatbot-tthc/chatbot_tthc (scripts/crawler/data/raw/<group>/, git history;
# the crawl ran on or before it). Records of an unknown group say only the import day.
SOURCE_DATES: Dict[str, dt.date] = {
    "bo-cong-an": dt.date(2026, 6, 10),
    "bo-tai-chinh": dt.date(2026, 6, 10),
    "bo-tu-phap": dt.date(2026, 6, 10),
    "bo-xay-dung": dt.date(2026, 6, 10),
    "ngan-hang-nha-nuoc": dt.date(2026, 6, 10),
    "bo-nong-nghiep-mt": dt.date(2026, 6, 10),
    "toa-an-nhan-dan": dt.date(2026, 7, 17),
}


def convert(raw: Dict[str, Any], checked: dt.date, popularity: Optional[Dict[str, float]] = None) -> Dict[str, Any]:
    """One national record → one catalogue record (plain dict, not yet validated)."""
    code = (raw.get("ma_thu_tuc") or "").strip()
    channels = parse_channels(raw.get("cach_thuc_thuc_hien"))
    url = clean(raw.get("detail_url"))
    record: Dict[str, Any] = {
        "code": code,
        "name": one_line(raw.get("ten_thu_tuc")),
        "field": one_line(raw.get("linh_vuc")),
        "levels": parse_levels(raw.get("cap_thuc_hien")),
        "audience": split_list(raw.get("doi_tuong_thuc_hien")),
        "agency": one_line(raw.get("co_quan_thuc_hien")),
        "competent_authority": one_line(raw.get("co_quan_co_tham_quyen")),
        "receiving_address": clean(raw.get("dia_chi_tiep_nhan")),
        "channels": channels,
        "document_groups": parse_documents(raw.get("thanh_phan_ho_so")),
        "steps": parse_lines(raw.get("trinh_tu_thuc_hien"), steps=True),
        "conditions": parse_lines(raw.get("yeu_cau_dieu_kien")),
        "results": parse_results(raw.get("ket_qua_xu_ly")),
        "legal_basis": parse_legal_basis(raw.get("can_cu_phap_ly")),
        "source_url": url,
        "checked": checked.isoformat(),
    }
    taken = SOURCE_DATES.get(str(raw.get("source_group") or ""))
    if taken:
        record["taken"] = taken.isoformat()
    if url and url.startswith("https://") and any(channel["kind"] == "online" for channel in channels):
        record["online_url"] = url
    if popularity and code in popularity:
        record["popularity"] = popularity[code]
    return {key: value for key, value in record.items() if value not in (None, [], "")}


def read_source(path: Path) -> Iterator[Tuple[int, Any]]:
    """Yield (line number, parsed JSON or the JSON error) from a .jsonl / .jsonl.gz file."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as stream:
            for number, line in enumerate(stream, 1):
                if line.strip():
                    try:
                        yield number, json.loads(line)
                    except json.JSONDecodeError as error:
                        yield number, error
    except (OSError, UnicodeDecodeError, EOFError, zlib.error) as error:
        raise CatalogueError(f"{path}: cannot read ({error})") from None


def load_popularity(path: Optional[Path]) -> Dict[str, float]:
    """{code: weight} from a popularity.json list; empty when there is none."""
    if not path or not path.is_file():
        return {}
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CatalogueError(f"{path}: cannot read popularity list ({error})") from None
    weights: Dict[str, float] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("code") and isinstance(item.get("weight"), (int, float)):
            weights[str(item["code"])] = max(weights.get(str(item["code"]), 0.0), float(item["weight"]))
    return weights


@dataclass
class ImportReport:
    """What an import produced and what it skipped, with reasons."""

    procedures: List[Procedure] = dc_field(default_factory=list)
    skipped: List[Tuple[str, str]] = dc_field(default_factory=list)


def import_records(
    source: Path, checked: Optional[dt.date] = None, popularity_path: Optional[Path] = None
) -> ImportReport:
    """Convert and validate every record of `source`; bad records are skipped with a reason."""
    checked = checked or dt.date.today()
    if popularity_path is None:
        popularity_path = source.parent / "popularity.json"
    popularity = load_popularity(popularity_path)
    report = ImportReport()
    seen = set()
    for number, raw in read_source(source):
        location = f"{source}:{number}"
        if isinstance(raw, Exception):
            report.skipped.append((location, f"not valid JSON ({raw})"))
            continue
        if not isinstance(raw, dict):
            report.skipped.append((location, "not a JSON object"))
            continue
        try:
            procedure = parse_record(location, convert(raw, checked, popularity))
        except CatalogueError as error:
            report.skipped.append((location, str(error).split(": ", 1)[-1]))
            continue
        if procedure.code in seen:
            report.skipped.append((location, f"duplicate code {procedure.code}"))
            continue
        seen.add(procedure.code)
        report.procedures.append(procedure)
    return report


def field_coverage(procedures: List[Procedure]) -> Dict[str, float]:
    """Share of records in which each catalogue field was filled in (parse coverage)."""
    counts: Counter = Counter()
    for procedure in procedures:
        channels = procedure.channels
        counts["channels"] += bool(channels)
        counts["duration"] += any(channel.duration for channel in channels)
        counts["duration_value"] += any(channel.duration and channel.duration.value is not None for channel in channels)
        counts["fee"] += any(channel.fee for channel in channels)
        counts["fee_amount_or_free"] += any(
            channel.fee and (channel.fee.amount_vnd is not None or channel.fee.free) for channel in channels
        )
        counts["documents"] += bool(procedure.document_groups)
        counts["documents_with_form"] += any(document.forms for document in procedure.documents)
        counts["steps"] += bool(procedure.steps)
        counts["conditions"] += bool(procedure.conditions)
        counts["results"] += bool(procedure.results)
        counts["legal_basis"] += bool(procedure.legal_basis)
        counts["legal_basis_code"] += any(item.code for item in procedure.legal_basis)
        counts["agency"] += bool(procedure.agency)
        counts["levels"] += bool(procedure.levels)
        counts["online_url"] += bool(procedure.online_url)
    total = len(procedures) or 1
    return {name: round(count / total, 3) for name, count in counts.items()}
