"""Reading dossier codes and phone digits from what citizens actually type.

Citizens copy codes from receipts with spaces, lower case, commas or a missing dash
("000.00.20.h37 251114 0123", "000.00.20.H372511140123"). Every part of a code has a fixed
length, so these are fixed without ambiguity; anything else is reported as malformed.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

# agency (3.2.2.letter+2) then yyMMdd then the 4-digit daily sequence; separators optional.
_SEP = r"\s*[.,·]?\s*"
_DASH = r"\s*[-–—_/]?\s*"
_LENIENT_CODE = re.compile(
    rf"(?<!\d)(\d{{3}}){_SEP}(\d{{2}}){_SEP}(\d{{2}}){_SEP}([A-Za-z]\d{{2}}){_DASH}(\d{{6}}){_DASH}(\d{{4}})(?!\d)",
    re.ASCII,  # only 0-9 are digits: other scripts' digits never reach the systems
)
# Something that was meant to be a code: an agency-like prefix or a long run of digits.
_CODE_ATTEMPT = re.compile(r"\d{3}\s*[.,]\s*\d|[A-Za-z]\d{2}\s*-|\d{6,}|\d+\s*-\s*\d+", re.ASCII)
# A Vietnamese phone number however it is grouped: 0912 345 678, 0912.345.678, (091) 234-5678,
# 091/234/5678, +84 912 345 678, +84 (0) 912 345 678. Apply to NFKC-normalised text (full-width).
PHONE_NUMBER_PATTERN = (
    r"(?<!\d)(?:\+?\s?84[\s.\-/]*(?:\(0\)[\s.\-/]*)?|\(?0)(?:[\s.\-/()]{0,2}\d){8,10}(?!\d)"
)


def redact_codes_and_phones(text: str) -> str:
    """Text kept outside the conversation (feedback on an answer) without dossier codes or phone numbers."""
    text = _LENIENT_CODE.sub("[mã hồ sơ]", text)
    return re.sub(PHONE_NUMBER_PATTERN, "[số điện thoại]", text)


MAX_INPUT_CHARS = 500  # longer messages are never codes; do not run regexes over 10 kB
CODE_EXAMPLE = "000.00.20.H37-251114-0123"


@dataclass(frozen=True)
class CodeReading:
    """What a message says about a dossier code."""

    code: Optional[str]  # the normalised code, when one was found
    attempted: bool  # the message looks like a (malformed) attempt at a code
    start: int = -1  # where the code was found in the text
    end: int = -1


def _plausible_date(yymmdd: str) -> bool:
    try:
        dt.datetime.strptime(yymmdd, "%y%m%d")
    except ValueError:
        return False
    return True


def read_dossier_code(text: object) -> CodeReading:
    """Find a dossier code in free text, fixing case, spaces and missing dashes."""
    if not isinstance(text, str) or not text.strip():
        return CodeReading(None, False)
    text = unicodedata.normalize("NFKC", text[:MAX_INPUT_CHARS])
    match = _LENIENT_CODE.search(text)
    if match:
        agency_a, agency_b, agency_c, office, date, sequence = match.groups()
        if _plausible_date(date):
            code = f"{agency_a}.{agency_b}.{agency_c}.{office.upper()}-{date}-{sequence}"
            return CodeReading(code, True, match.start(), match.end())
        return CodeReading(None, True)
    return CodeReading(None, bool(_CODE_ATTEMPT.search(text)))


def read_phone_last_digits(text: object) -> Optional[str]:
    """The last 4 digits of a phone number: '5678', 'số cuối 5678', or a whole number '0912 345 678'."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_CHARS:
        return None
    text = unicodedata.normalize("NFKC", text)
    # A whole phone number, possibly grouped with spaces, dots or dashes (+84 or 0 prefix).
    whole = re.search(PHONE_NUMBER_PATTERN, text, re.ASCII)
    if whole:
        digits = re.sub(r"\D", "", whole.group(0), flags=re.ASCII)
        return digits[-4:]
    groups = re.findall(r"\d+", text, re.ASCII)
    fours = [group for group in groups if len(group) == 4]
    # "4 số cuối là 5678": one 4-digit group; any other number is a small count, not digits.
    if len(fours) == 1 and all(len(group) <= 2 for group in groups if group != fours[0]):
        return fours[0]
    return None
