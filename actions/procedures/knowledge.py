"""How people name and describe procedures, kept as reviewed data (data/knowledge/).

`procedure_aliases/*.yml` map a procedure code to the names citizens use for it ("aliases") and
the situations in which they need it ("situations"), written from knowledge of everyday
Vietnamese for the most used procedures; the search engine indexes them next to the official
name. Files are read once; a code absent from the catalogue is ignored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "data" / "knowledge"
ALIASES_DIR = KNOWLEDGE_DIR / "procedure_aliases"
ABBREVIATIONS_FILE = KNOWLEDGE_DIR / "abbreviations.yml"
OUTSIDE_TOPICS_FILE = KNOWLEDGE_DIR / "outside_topics.yml"


@dataclass(frozen=True)
class Abbreviation:
    """A short form people type and the official words it stands for."""

    short: Tuple[str, ...]
    full: str
    # When the short form is also a common word once accents are gone ("ca" = cá, "cat" = cát),
    # it is expanded only if one of these words is in the same message.
    needs_context: Tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcedureKnowledge:
    """What people call one procedure and when they need it."""

    aliases: Tuple[str, ...] = ()
    situations: Tuple[str, ...] = ()


def _texts(value: object) -> Tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(item).strip() for item in value if isinstance(item, (str, int)) and str(item).strip())


def load_aliases(folder: Path) -> Dict[str, ProcedureKnowledge]:
    """code -> knowledge from every YAML file of `folder` (later files add to earlier ones)."""
    merged: Dict[str, ProcedureKnowledge] = {}
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping from procedure code to aliases")
        for code, entry in data.items():
            if not isinstance(entry, dict) or entry.get("skip"):
                continue
            known = merged.get(str(code), ProcedureKnowledge())
            merged[str(code)] = ProcedureKnowledge(
                aliases=known.aliases + _texts(entry.get("aliases")),
                situations=known.situations + _texts(entry.get("situations")),
            )
    return merged


@lru_cache(maxsize=1)
def procedure_knowledge() -> Dict[str, ProcedureKnowledge]:
    """The shipped knowledge (data/knowledge/procedure_aliases/)."""
    return load_aliases(ALIASES_DIR)


def load_abbreviations(path: Path = ABBREVIATIONS_FILE) -> Tuple[Abbreviation, ...]:
    """The abbreviations of a YAML list (short, full, ambiguous_when_unaccented, needs_context)."""
    if not path.exists():
        return ()
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    result = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("full") or not entry.get("short"):
            raise ValueError(f"{path}: every entry needs 'short' and 'full': {entry!r}")
        context = _texts(entry.get("needs_context")) if entry.get("ambiguous_when_unaccented") else ()
        if entry.get("ambiguous_when_unaccented") and not context:
            continue  # ambiguous and no way to tell: never expanded
        result.append(Abbreviation(short=_texts(entry["short"]), full=str(entry["full"]), needs_context=context))
    return tuple(result)


@lru_cache(maxsize=1)
def abbreviations() -> Tuple[Abbreviation, ...]:
    """The shipped abbreviations (data/knowledge/abbreviations.yml)."""
    return load_abbreviations()



@dataclass(frozen=True)
class OutsideTopic:
    """Something people ask that is not a provincial procedure, with the pointer to give instead."""

    name: str
    cues: Tuple[re.Pattern, ...]
    unless: Tuple[re.Pattern, ...]
    text: str


def _whole(phrase: str) -> re.Pattern:
    return re.compile(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])")


@lru_cache(maxsize=2)
def outside_topics(path: Path = OUTSIDE_TOPICS_FILE) -> Tuple[OutsideTopic, ...]:
    """data/knowledge/outside_topics.yml, compiled."""
    if not path.exists():
        return ()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(
        OutsideTopic(
            name=str(entry["name"]),
            cues=tuple(_whole(str(cue)) for cue in entry.get("cues") or []),
            unless=tuple(_whole(str(cue)) for cue in entry.get("unless") or []),
            text=" ".join(str(entry["text"]).split()),
        )
        for entry in data.get("topics") or []
    )


def outside_topic(folded_text: str) -> Optional[OutsideTopic]:
    """The outside topic a folded message is about, if any."""
    for topic in outside_topics():
        if any(cue.search(folded_text) for cue in topic.cues) and not any(cue.search(folded_text) for cue in topic.unless):
            return topic
    return None
