"""Tests for actions/procedures/catalogue.py: loading, validating and saving catalogue files."""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from actions.procedures.catalogue import (
    DEFAULT_PATH,
    Catalogue,
    CatalogueError,
    catalogue_files,
    catalogue_path,
    load,
    save,
)
from actions.procedures.schema import Procedure

from tests.procedures.conftest import NATIONAL, SHIPPED

NO_INFO = "Không có thông tin"


def _raw(code: str = "1.001193", **changes: Any) -> Dict[str, Any]:
    record: Dict[str, Any] = {
        "code": code,
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "levels": ["commune"],
        "channels": [{"kind": "direct", "fee": {"text": "Miễn phí", "free": True}}],
        "source_url": f"https://dichvucong.gov.vn/thu-tuc/{code}",
        "checked": "2025-07-01",
    }
    record.update(changes)
    return record


def _write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(CatalogueError) as error:
        load(path)
    return str(error.value)


# --- the shipped catalogue ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load(SHIPPED)


def test_the_default_path_is_the_shipped_folder():
    assert DEFAULT_PATH == SHIPPED


def test_the_shipped_catalogue_loads(shipped):
    assert len(shipped) >= 30
    for procedure in shipped:
        assert procedure.source_url.startswith(("https://", "http://")), procedure.code
        assert procedure.checked is not None, procedure.code
        assert procedure.checked.year >= 2024, procedure.code


def test_each_shipped_file_holds_the_procedure_it_is_named_after(shipped):
    files = catalogue_files(SHIPPED)
    assert all(path.suffix == ".yml" for path in files)  # README.md is not a catalogue file
    assert {path.stem for path in files} == set(shipped.by_code)


def test_the_shipped_catalogue_has_no_placeholder_text(shipped):
    for procedure in shipped:
        texts = _texts(json.loads(procedure.json()))
        assert texts
        assert not [text for text in texts if text.strip().lower() == NO_INFO.lower()], procedure.code


def _texts(value: Any) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def test_catalogue_lookup_by_code_and_fields(shipped):
    assert shipped.get(" 1.001456 ").code == "1.001456"
    assert shipped.get("9.999999") is None
    assert shipped.get("") is None
    fields = shipped.fields()
    assert fields and len(fields) == len(set(fields))
    counts = [sum(p.field == field for p in shipped) for field in fields]
    assert counts == sorted(counts, reverse=True)


def test_procedures_path_overrides_the_default(tmp_path, monkeypatch):
    save([Procedure.parse_obj(_raw("1.000656", name="Thủ tục đăng ký khai tử"))], tmp_path / "one.jsonl")
    monkeypatch.setenv("PROCEDURES_PATH", str(tmp_path / "one.jsonl"))
    assert catalogue_path() == tmp_path / "one.jsonl"
    assert [p.code for p in load()] == ["1.000656"]
    monkeypatch.delenv("PROCEDURES_PATH")
    assert catalogue_path() == DEFAULT_PATH


# --- accepted layouts --------------------------------------------------------------------


def test_a_yaml_file_may_hold_one_record_a_list_or_a_procedures_key(tmp_path):
    _write_yaml(tmp_path / "a" / "one.yml", _raw("1.000001"))
    _write_yaml(tmp_path / "a" / "list.yaml", [_raw("1.000002"), _raw("1.000003")])
    _write_yaml(tmp_path / "a" / "sub" / "wrapped.yml", {"procedures": [_raw("1.000004")]})
    (tmp_path / "a" / "notes.txt").write_text("not a catalogue file", encoding="utf-8")
    (tmp_path / "a" / "_draft.yml").write_text("code: [broken", encoding="utf-8")  # ignored: starts with "_"
    (tmp_path / "a" / ".hidden.yml").write_text("code: [broken", encoding="utf-8")  # ignored: hidden
    catalogue = load(tmp_path / "a")
    assert sorted(catalogue.by_code) == ["1.000001", "1.000002", "1.000003", "1.000004"]


def test_an_empty_file_among_others_is_fine(tmp_path):
    (tmp_path / "empty.yml").write_text("", encoding="utf-8")
    _write_yaml(tmp_path / "one.yml", _raw())
    assert len(load(tmp_path)) == 1


# --- error messages name the file, the record and the field ------------------------------


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"agency": NO_INFO}, "agency"),
        ({"field": NO_INFO}, "field"),
        ({"channels": [{"kind": "direct", "fee": {"text": NO_INFO}}]}, "channels.0.fee.text"),
        ({"steps": ["Nộp hồ sơ", NO_INFO]}, "steps.1"),
        ({"levles": ["commune"]}, "levles"),
        ({"levels": ["village"]}, "levels.0"),
        ({"checked": "yesterday"}, "checked"),
    ],
)
def test_a_bad_record_is_reported_with_file_code_and_field(tmp_path, changes, field):
    path = _write_yaml(tmp_path / "hotich" / "1.001193.yml", _raw("1.001193", **changes))
    message = _error(tmp_path / "hotich")
    assert str(path) in message
    assert "1.001193" in message
    assert f"field {field}" in message


def test_a_bad_record_in_a_list_is_located_by_its_index(tmp_path):
    path = _write_yaml(tmp_path / "list.yml", [_raw("1.000001"), _raw("1.000002", agency=NO_INFO)])
    message = _error(path)
    assert f"{path}[1]" in message
    assert "procedure 1.000002" in message and "field agency" in message


def test_a_bad_record_in_json_lines_is_located_by_its_line(tmp_path):
    path = tmp_path / "cat.jsonl"
    lines = [json.dumps(_raw("1.000001")), "", json.dumps(_raw("1.000002", unknown_key=1))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = _error(path)
    assert f"{path}:3" in message
    assert "procedure 1.000002" in message and "field unknown_key" in message


@pytest.mark.parametrize("code", ["1001193", "1.00119", "x.001193"])
def test_a_bad_code_is_reported(tmp_path, code):
    path = _write_yaml(tmp_path / "bad.yml", _raw(code))
    message = _error(path)
    assert str(path) in message and code in message and "field code" in message


def test_a_record_that_is_not_a_mapping_is_reported(tmp_path):
    path = _write_yaml(tmp_path / "bad.yml", [_raw("1.000001"), "1.000002"])
    message = _error(path)
    assert f"{path}[1]" in message and "mapping" in message


def test_a_scalar_file_is_reported(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("just a sentence\n", encoding="utf-8")
    message = _error(path)
    assert str(path) in message and "expected a procedure" in message


def test_a_code_defined_in_two_files_is_an_error(tmp_path):
    first = _write_yaml(tmp_path / "a.yml", _raw("1.001193"))
    second = _write_yaml(tmp_path / "b.yml", _raw("1.001193", name="Đăng ký khai sinh (bản khác)"))
    message = _error(tmp_path)
    assert "1.001193" in message
    assert str(first) in message and str(second) in message


def test_a_code_defined_twice_in_one_file_is_an_error(tmp_path):
    path = _write_yaml(tmp_path / "cat.yml", [_raw("1.001193"), _raw("1.000656"), _raw("1.001193")])
    message = _error(path)
    assert f"{path}[2]" in message and f"{path}[0]" in message and "1.001193" in message


def test_a_catalogue_object_refuses_duplicate_codes():
    procedure = Procedure.parse_obj(_raw())
    with pytest.raises(CatalogueError, match="1.001193"):
        Catalogue([procedure, procedure], source="memory")


def test_an_empty_folder_is_an_error(tmp_path):
    (tmp_path / "README.md").write_text("# procedures\n", encoding="utf-8")
    message = _error(tmp_path)
    assert str(tmp_path) in message and "no procedures" in message


def test_an_empty_file_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    assert "no procedures" in _error(path)


def test_a_missing_path_is_an_error(tmp_path):
    message = _error(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in message and "no such file" in message


def test_malformed_yaml_is_reported(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("code: '1.001193'\nname: [unclosed\n", encoding="utf-8")
    message = _error(path)
    assert str(path) in message and "not valid YAML" in message


def test_malformed_json_is_reported(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"code": "1.001193",}]', encoding="utf-8")
    message = _error(path)
    assert str(path) in message and "not valid JSON" in message


def test_malformed_json_lines_are_reported_with_the_line(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(_raw()) + "\n{not json}\n", encoding="utf-8")
    message = _error(path)
    assert f"{path}:2" in message and "not valid JSON" in message


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "latin.yml"
    path.write_bytes("name: Thủ tục".encode("utf-16"))
    message = _error(path)
    assert str(path) in message and "cannot read" in message


def test_garbage_in_a_gzip_catalogue_is_reported(tmp_path):
    path = tmp_path / "cat.jsonl.gz"
    path.write_bytes(bytes(range(256)) * 8)  # not gzip at all
    message = _error(path)
    assert str(path) in message and "cannot read" in message


def test_a_truncated_gzip_catalogue_is_reported(tmp_path):
    data = gzip.compress("".join(json.dumps(_raw(f"1.{n:06d}")) + "\n" for n in range(300)).encode("utf-8"))
    path = tmp_path / "cat.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    message = _error(path)
    assert str(path) in message and "cannot read" in message


def test_corrupt_data_behind_a_gzip_header_is_reported(tmp_path):
    data = gzip.compress("".join(json.dumps(_raw(f"1.{n:06d}")) + "\n" for n in range(300)).encode("utf-8"))
    path = tmp_path / "cat.jsonl.gz"
    path.write_bytes(data[:20] + bytes(range(256)) * 4)
    message = _error(path)
    assert str(path) in message and "cannot read" in message


# --- save and load round trip ------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(shipped, request) -> List[Procedure]:
    """The shipped records plus every 20th national one (when available): hand-written and imported."""
    records = list(shipped)
    if NATIONAL.is_file():
        national = request.getfixturevalue("national")
        records += [p for p in national[::20] if p.code not in shipped.by_code]
    return records


@pytest.mark.parametrize("name", ["cat.jsonl", "cat.jsonl.gz", "cat.json", "cat.yml", "cat.yaml", "CAT.JSONL"])
def test_save_then_load_gives_back_the_same_records(tmp_path, sample, name):
    dest = save(sample, tmp_path / "out" / name)
    assert dest == tmp_path / "out" / name and dest.is_file()
    back = list(load(dest))
    assert [p.code for p in back] == [p.code for p in sample]
    assert back == sample
    assert sorted(os.listdir(dest.parent)) == [name]  # no .tmp left behind


def test_saved_formats_are_what_their_names_say(tmp_path, sample):
    first = sample[0]
    jsonl = save(sample, tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(jsonl) == len(sample) and json.loads(jsonl[0])["code"] == first.code
    with gzip.open(save(sample, tmp_path / "c.jsonl.gz"), "rt", encoding="utf-8") as stream:
        assert json.loads(stream.readline())["code"] == first.code
    assert json.loads(save(sample, tmp_path / "c.json").read_text(encoding="utf-8"))[0]["code"] == first.code
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(save(sample[:3], tmp_path / "c.yml").read_text(encoding="utf-8"), Loader=loader)
    assert data["procedures"][0]["code"] == first.code  # a code stays a string, not a float
    # Vietnamese text is written as is, not \u-escaped
    assert first.name in (tmp_path / "c.jsonl").read_text(encoding="utf-8")


def test_save_to_a_folder_writes_procedures_jsonl(tmp_path, sample):
    existing = tmp_path / "existing"
    existing.mkdir()
    assert save(sample, existing) == existing / "procedures.jsonl"
    new = tmp_path / "new" / "catalogue"  # no catalogue suffix: a folder, created
    assert save(sample, new) == new / "procedures.jsonl"
    assert list(load(new)) == sample
    assert sorted(os.listdir(new)) == ["procedures.jsonl"]


def test_save_replaces_an_existing_catalogue(tmp_path, sample):
    dest = tmp_path / "cat.jsonl"
    save(sample, dest)
    save(sample[:3], dest)
    assert [p.code for p in load(dest)] == [p.code for p in sample[:3]]
    assert sorted(os.listdir(tmp_path)) == ["cat.jsonl"]


def test_a_failed_save_leaves_the_old_catalogue_and_no_partial_file(tmp_path, sample):
    dest = tmp_path / "cat.jsonl"
    save(sample[:3], dest)
    before = dest.read_bytes()

    def broken():
        yield from sample[:5]
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError):
        save(broken(), dest)
    assert dest.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["cat.jsonl"]


def test_saved_records_leave_out_missing_values(tmp_path):
    procedure = Procedure.parse_obj(_raw())
    text = save([procedure], tmp_path / "c.jsonl").read_text(encoding="utf-8")
    record = json.loads(text)
    assert "null" not in text
    assert "agency" not in record and "online_url" not in record and "popularity" not in record
    assert record["checked"] == "2025-07-01" and record["code"] == "1.001193"
