"""Shared fixtures for actions/procedures: the national records, imported once per session.

Importing all 2,642 national records takes ~10 s, so the import (and the search engine built
over it) is done once for the whole session and shared by every test module in this folder.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Dict, Iterable, List

import pytest

from actions.procedures.schema import Procedure

ROOT = Path(__file__).resolve().parents[2]
DATASET = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "dvcqg"
NATIONAL = DATASET / "procedures.jsonl.gz"
POPULARITY = DATASET / "popularity.json"
SHIPPED = ROOT / "data" / "procedures"
CHECKED = dt.date(2026, 1, 15)  # a fixed check date, so imported records are reproducible


def require_national() -> Path:
    """The national records file, or skip the test with the reason."""
    if not NATIONAL.is_file():
        pytest.skip(f"national records (dichvucong.gov.vn crawl) not available at {NATIONAL}")
    return NATIONAL


@pytest.fixture(scope="session")
def national_report():
    """The ImportReport of all national records (imported once per session)."""
    from actions.procedures.dvcqg import import_records

    return import_records(require_national(), checked=CHECKED)


@pytest.fixture(scope="session")
def national(national_report) -> List[Procedure]:
    """Every imported national record, in source order."""
    assert national_report.procedures, "the import produced no procedure"
    return national_report.procedures


@pytest.fixture(scope="session")
def national_by_code(national) -> Dict[str, Procedure]:
    """The imported national records by code."""
    return {procedure.code: procedure for procedure in national}


@pytest.fixture(scope="session")
def national_search(national):
    """A ProcedureSearch over all imported national records (built once per session)."""
    from actions.procedures.search import ProcedureSearch

    return ProcedureSearch(national)


@pytest.fixture(scope="session")
def raw_lines() -> Dict[str, str]:
    """The national source lines (raw JSON text) by procedure code."""
    lines: Dict[str, str] = {}
    with gzip.open(require_national(), "rt", encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                lines[json.loads(line)["ma_thu_tuc"]] = line.rstrip("\n")
    return lines


@pytest.fixture(scope="session")
def raw_records(raw_lines) -> Dict[str, dict]:
    """The national source records (parsed JSON) by procedure code."""
    return {code: json.loads(line) for code, line in raw_lines.items()}


def write_lines(path: Path, lines: Iterable[str]) -> Path:
    """Write text lines to a .jsonl (or, by suffix, gzip-compressed .jsonl.gz) file."""
    text = "".join(f"{line}\n" for line in lines)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as stream:
            stream.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
