"""Pure helpers for Vietnamese text as people type it: folding, syllables, special spans."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator, List, Tuple

# Characters whose accent-free form is not obtained by stripping combining marks.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})
_CONTROL_CATEGORIES = {"Cc", "Cf", "Co", "Cs"}

# Spans that must stay whole tokens: segmenting them into syllables destroys meaning.
SPECIAL_PATTERNS: List[Tuple[str, str]] = [
    ("url", r"(?:https?://|www\.)[^\s<>\"']+|\b[\w-]+(?:\.[\w-]+)*\.(?:gov|com|net|org|edu)(?:\.vn)?(?:/[^\s<>\"']*)?"),
    ("email", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # Dossier code: agency code, yyMMdd, 4-digit sequence; people add spaces around dashes.
    ("dossier_code", r"\b\d{3}\.\d{2}\.\d{2}\.[A-Za-z]\d{2}\s*-\s*\d{6}\s*-\s*\d{4}\b"),
    # Numbers with separators: phone numbers, ID numbers, amounts, dates.
    # Not glued to letters: "H37" and "5tr" are words.
    ("number", r"(?<!\w)\+?\d+(?:[.,/:-]\d+)*(?!\w)"),
]
SPECIAL_RE = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in SPECIAL_PATTERNS))

# A syllable: letters (with any combining marks), digits or underscores.
SYLLABLE_RE = re.compile(r"[^\W_]+(?:[\u0300-\u036f]+[^\W_]*)*", re.UNICODE)


def nfc(text: str) -> str:
    """Compose decomposed Unicode (e.g. 'o' + U+0300) into precomposed characters."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case and strip every Vietnamese diacritic, including đ→d."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.lower()


def has_diacritics(text: str) -> bool:
    """True when the text has at least one Vietnamese accented letter or đ."""
    return fold(text) != text.lower()


def folded_key_map(text: str) -> Tuple[str, List[int]]:
    """Fold `text` char by char; return the folded string and, per folded char, its source index.

    Combining marks fold to nothing, so they never start a match; ligature-like
    characters that fold to several chars map each of them to the same source.
    """
    key_chars: List[str] = []
    positions: List[int] = []
    for index, char in enumerate(text):
        for folded_char in fold(char):
            key_chars.append(folded_char)
            positions.append(index)
    return "".join(key_chars), positions


def end_of_match(text: str, last_index: int) -> int:
    """Exclusive end offset of a match ending at `last_index`, with its trailing combining marks."""
    end = last_index + 1
    while end < len(text) and unicodedata.combining(text[end]):
        end += 1
    return end


def blank_controls(text: str) -> str:
    """Replace control and format characters by spaces, keeping every offset."""
    return "".join(" " if unicodedata.category(ch) in _CONTROL_CATEGORIES else ch for ch in text)


def syllables(text: str) -> Iterator[Tuple[str, int, int]]:
    """Yield (syllable, start, end) for every word-like run of the text."""
    for match in SYLLABLE_RE.finditer(text):
        yield match.group(), match.start(), match.end()


def special_spans(text: str) -> Iterator[Tuple[str, int, int]]:
    """Yield (kind, start, end) of URLs, e-mails, dossier codes and numbers."""
    for match in SPECIAL_RE.finditer(text):
        yield match.lastgroup or "number", match.start(), match.end()
