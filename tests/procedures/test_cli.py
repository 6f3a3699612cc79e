"""Tests for actions/procedures/__main__.py: the command line, run as a real subprocess.

Contract (../shared/CONTRACTS.md, "Command-line tools"):
  python -m actions.procedures import-dvcqg SRC --out DEST [--coverage]
  python -m actions.procedures search "QUERY" [--catalogue PATH] [--top K] --json [--batch]
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from actions.procedures.catalogue import load

from tests.procedures.conftest import ROOT, SHIPPED, write_lines

KEY_CODES = [
    "1.001456", "1.001471", "1.001445", "2.000539", "1.004194", "1.004222", "1.000894", "1.000593",
    "2.000806", "3.000346", "3.000347", "3.000348", "1.008331", "3.000340", "2.001194", "1.014064",
]


def run(*args: str, stdin: Optional[str] = None, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """`python -m actions.procedures ARGS` from the repository root, without PROCEDURES_PATH unless given."""
    environment = {key: value for key, value in os.environ.items() if key != "PROCEDURES_PATH"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "actions.procedures", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=120,
    )


def hits(result: subprocess.CompletedProcess) -> List[dict]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def source(tmp_path_factory, raw_lines) -> Path:
    """A .jsonl.gz of real national records: the hand-checked ones plus every 100th."""
    codes = list(dict.fromkeys(KEY_CODES + sorted(raw_lines)[::100]))
    return write_lines(tmp_path_factory.mktemp("src") / "national.jsonl.gz", [raw_lines[code] for code in codes])


@pytest.fixture(scope="module")
def imported(tmp_path_factory, source):
    """The import run (with --coverage) and the catalogue it wrote."""
    dest = tmp_path_factory.mktemp("out") / "catalogue.jsonl"
    result = run("import-dvcqg", str(source), "--out", str(dest), "--coverage", "--checked", "2026-01-15")
    return result, dest


# --- import-dvcqg ------------------------------------------------------------------------


def test_import_writes_a_loadable_catalogue(imported, source):
    result, dest = imported
    assert result.returncode == 0, result.stderr
    with gzip.open(source, "rt", encoding="utf-8") as stream:
        count = sum(1 for line in stream if line.strip())
    assert result.stdout.splitlines()[0] == f"imported {count} procedures, skipped 0 -> {dest}"
    assert "skipped" not in result.stderr
    catalogue = load(dest)
    assert len(catalogue) == count
    assert set(KEY_CODES) <= set(catalogue.by_code)
    assert all(procedure.checked == dt.date(2026, 1, 15) for procedure in catalogue)
    assert catalogue.get("1.001456").channels[0].fee.amount_vnd == 160000
    assert sorted(os.listdir(dest.parent)) == ["catalogue.jsonl"]  # no .tmp left


def test_import_prints_the_coverage(imported):
    result, _ = imported
    coverage = json.loads("\n".join(result.stdout.splitlines()[1:]))
    assert {"channels", "documents", "legal_basis", "results", "steps", "online_url"} <= set(coverage)
    assert all(0.0 <= value <= 1.0 for value in coverage.values())
    assert coverage["channels"] >= 0.9 and coverage["documents"] >= 0.9 and coverage["steps"] >= 0.9


def test_import_to_a_folder_and_into_yaml(tmp_path, raw_lines):
    source = write_lines(tmp_path / "few.jsonl", [raw_lines["1.004194"], raw_lines["1.000894"]])
    assert run("import-dvcqg", str(source), "--out", str(tmp_path / "folder")).returncode == 0
    assert [p.code for p in load(tmp_path / "folder" / "procedures.jsonl")] == ["1.004194", "1.000894"]
    assert run("import-dvcqg", str(source), "--out", str(tmp_path / "cat.yml")).returncode == 0
    assert [p.code for p in load(tmp_path / "cat.yml")] == ["1.004194", "1.000894"]


def test_import_skips_and_reports_bad_records(tmp_path, raw_lines):
    source = write_lines(
        tmp_path / "mixed.jsonl",
        [raw_lines["1.004194"], "{broken", "[1, 2]", '{"ten_thu_tuc": "Không có mã"}', raw_lines["1.000894"]],
    )
    dest = tmp_path / "out.jsonl"
    result = run("import-dvcqg", str(source), "--out", str(dest))
    assert result.returncode == 0, result.stderr
    assert f"imported 2 procedures, skipped 3 -> {dest}" in result.stdout
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert [line.split(": ", 1)[0] for line in skipped] == [f"skipped {source}:{n}" for n in (2, 3, 4)]
    assert [p.code for p in load(dest)] == ["1.004194", "1.000894"]


def test_import_with_no_valid_record_fails(tmp_path):
    source = write_lines(tmp_path / "bad.jsonl", ["{broken", "[]"])
    dest = tmp_path / "out.jsonl"
    result = run("import-dvcqg", str(source), "--out", str(dest))
    assert result.returncode != 0
    assert "không có thủ tục hợp lệ" in result.stderr
    assert not dest.exists()


def test_import_of_a_missing_file_fails_clearly(tmp_path):
    dest = tmp_path / "out.jsonl"
    result = run("import-dvcqg", str(tmp_path / "missing.jsonl.gz"), "--out", str(dest))
    assert result.returncode != 0
    assert str(tmp_path / "missing.jsonl.gz") in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == "" and not dest.exists()


def test_import_of_garbage_fails_clearly(tmp_path):
    source = tmp_path / "garbage.jsonl.gz"
    source.write_bytes(b"\x00\xffnot gzip at all\x13\x37" * 100)
    dest = tmp_path / "out.jsonl"
    result = run("import-dvcqg", str(source), "--out", str(dest))
    assert result.returncode != 0
    assert str(source) in result.stderr and "Traceback" not in result.stderr
    assert not dest.exists()


def test_import_of_corrupt_gzip_fails_clearly(tmp_path, raw_lines):
    data = gzip.compress("\n".join(list(raw_lines.values())[:50]).encode("utf-8"))
    source = tmp_path / "corrupt.jsonl.gz"
    source.write_bytes(data[:20] + bytes(range(256)) * 8)
    result = run("import-dvcqg", str(source), "--out", str(tmp_path / "out.jsonl"))
    assert result.returncode != 0
    assert str(source) in result.stderr and "Traceback" not in result.stderr


# --- search ------------------------------------------------------------------------------


def test_search_prints_a_json_list(imported):
    _, dest = imported
    found = hits(run("search", "cấp hộ chiếu", "--catalogue", str(dest), "--json"))
    assert isinstance(found, list) and 1 <= len(found) <= 5  # default top 5
    assert found[0]["code"] == "1.001456"
    for item in found:
        assert set(item) == {"code", "name", "score"}
        assert isinstance(item["code"], str) and isinstance(item["name"], str) and item["name"]
        assert isinstance(item["score"], float)
    scores = [item["score"] for item in found]
    assert scores == sorted(scores, reverse=True)
    assert len({item["code"] for item in found}) == len(found)
    names = {p.code: p.name for p in load(dest)}
    assert all(names[item["code"]] == item["name"] for item in found)


def test_search_top_limits_the_list(imported):
    _, dest = imported
    assert len(hits(run("search", "hộ chiếu", "--catalogue", str(dest), "--top", "2", "--json"))) == 2
    assert len(hits(run("search", "hộ chiếu", "--catalogue", str(dest), "--top", "1", "--json"))) == 1


def test_search_batch_prints_one_line_per_query_in_order(imported):
    _, dest = imported
    result = run("search", "--catalogue", str(dest), "--json", "--batch", "--top", "3",
                 stdin="đăng ký tạm trú\n\ndang ky ket hon\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    first, empty, last = (json.loads(line) for line in lines)
    assert first[0]["code"] == "1.004194" and len(first) <= 3
    assert empty == []
    assert last[0]["code"] == "1.000894" and len(last) <= 3


def test_search_without_a_match_prints_an_empty_list(imported):
    _, dest = imported
    assert hits(run("search", "?!", "--catalogue", str(dest), "--json")) == []


def test_search_uses_the_shipped_catalogue_by_default():
    shipped = {p.code for p in load(SHIPPED)}
    found = hits(run("search", "cấp hộ chiếu", "--json", "--top", "10"))
    assert found[0]["code"] == "1.001456"
    assert {item["code"] for item in found} <= shipped
    assert "1.001471" not in {item["code"] for item in found}  # a national-only record


def test_search_honours_procedures_path(tmp_path, imported):
    _, dest = imported
    only = tmp_path / "only.jsonl"
    only.write_text(
        next(line for line in dest.read_text(encoding="utf-8").splitlines() if '"code": "1.001445"' in line) + "\n",
        encoding="utf-8",
    )
    found = hits(run("search", "hộ chiếu", "--json", env={"PROCEDURES_PATH": str(only)}))
    assert [item["code"] for item in found] == ["1.001445"]


def test_search_prints_plain_lines_without_json(imported):
    _, dest = imported
    result = run("search", "đăng ký kết hôn", "--catalogue", str(dest), "--top", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    score, code, name = lines[0].split("  ", 2)
    assert float(score) > 0 and code == "1.000894" and name == "Thủ tục đăng ký kết hôn"


def test_search_without_a_query_fails(imported):
    _, dest = imported
    result = run("search", "--catalogue", str(dest), "--json")
    assert result.returncode != 0
    assert "--batch" in result.stderr


def test_search_with_a_bad_catalogue_fails_clearly(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("code: '1.001456'\nname: Hộ chiếu phổ thông\nagency: Không có thông tin\n", encoding="utf-8")
    result = run("search", "hộ chiếu", "--catalogue", str(broken), "--json")
    assert result.returncode != 0
    assert str(broken) in result.stderr and "1.001456" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    missing = run("search", "hộ chiếu", "--catalogue", str(tmp_path / "nowhere"), "--json")
    assert missing.returncode != 0 and "nowhere" in missing.stderr
