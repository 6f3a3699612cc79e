"""The knowledge data (data/knowledge/): reviewed aliases, situations and abbreviations.

The files are data written by people; these tests keep them loadable, consistent with the
national records, and useful: an alias must find its own procedure.
"""
from __future__ import annotations

import re

import pytest

from actions.procedures.knowledge import (
    ABBREVIATIONS_FILE,
    ALIASES_DIR,
    load_abbreviations,
    load_aliases,
    procedure_knowledge,
)
from actions.procedures.search import ProcedureSearch, normalize

CODE = re.compile(r"^\d\.\d{6}$")


def test_every_alias_file_loads_with_enough_entries():
    knowledge = load_aliases(ALIASES_DIR)
    assert len(knowledge) >= 300
    for code, entry in knowledge.items():
        assert CODE.match(code), code
        assert len(entry.aliases) >= 3 and len(entry.situations) >= 2, code
        assert all(1 <= len(alias.split()) <= 12 for alias in entry.aliases), code


def test_aliases_are_not_the_official_name_and_their_codes_exist(national_by_code):
    for code, entry in procedure_knowledge().items():
        assert code in national_by_code, f"{code} is not a national procedure"
        official = normalize(national_by_code[code].name)
        assert official not in {normalize(alias) for alias in entry.aliases}, code


def test_most_aliases_find_their_own_procedure(national_search):
    """An alias is what a citizen calls the procedure: typed alone, it should find it (top 3)."""
    found = total = 0
    for code, entry in procedure_knowledge().items():
        for alias in entry.aliases:
            total += 1
            found += code in {hit.code for hit in national_search.search(alias, top=3)}
    print(f"aliases finding their procedure in the top 3: {found}/{total}")
    assert found / total >= 0.8, f"{found}/{total}"


def test_skipped_and_malformed_entries(tmp_path):
    (tmp_path / "a.yml").write_text(
        '"1.000001": {aliases: [làm giấy A, xin giấy A, giấy A], situations: [khi cần giấy A, lúc mất giấy A]}\n'
        '"1.000002": {skip: true}\n'
        '"1.000003": {aliases: [giấy C, 7, ""]}\n',
        encoding="utf-8",
    )
    (tmp_path / "b.yml").write_text('"1.000001": {aliases: [giấy A mới]}\n', encoding="utf-8")
    knowledge = load_aliases(tmp_path)
    assert set(knowledge) == {"1.000001", "1.000003"}
    assert knowledge["1.000001"].aliases[-1] == "giấy A mới"  # later files add to earlier ones
    assert knowledge["1.000003"].aliases == ("giấy C", "7")
    (tmp_path / "c.yml").write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_aliases(tmp_path)


def test_abbreviations_are_unique_and_ambiguous_ones_need_context():
    seen = {}
    for entry in load_abbreviations(ABBREVIATIONS_FILE):
        assert entry.full.strip()
        for short in entry.short:
            folded = normalize(short)
            assert folded not in seen or seen[folded] == entry.full, f"{short}: {seen.get(folded)} / {entry.full}"
            seen[folded] = entry.full
    assert len(seen) >= 200
    assert {"ubnd", "hkd", "gplx", "qsdd", "bhxh"} <= set(seen)


def test_abbreviations_are_expanded_in_questions(national_search):
    assert "ho kinh doanh" in national_search.analyse("tạm ngừng HKD").text
    assert "uy ban nhan dan" in national_search.analyse("nộp ở UBND xã").text


def test_an_ambiguous_abbreviation_is_expanded_only_with_its_context(national_search):
    assert "cong an" in national_search.analyse("xin xác nhận của CA phường").text
    assert "cong an" not in national_search.analyse("giấy phép nuôi ca").text


def test_knowledge_finds_procedures_the_names_do_not_say(national):
    """A situation in the knowledge files finds its procedure; without the files it does not."""
    knowledge = procedure_knowledge()
    with_knowledge = ProcedureSearch(national)
    without = ProcedureSearch(national, knowledge={})
    gained = 0
    for code, entry in list(knowledge.items())[:60]:
        for situation in entry.situations[:1]:
            now = code in {hit.code for hit in with_knowledge.search(situation, top=3)}
            before = code in {hit.code for hit in without.search(situation, top=3)}
            gained += now - before
    assert gained >= 10


def test_the_generated_nlu_examples_are_in_sync_with_the_knowledge():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "scripts/knowledge_to_nlu.py", "--check"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
