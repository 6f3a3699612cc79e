"""`python -m actions.onestop import FILE [--db URL]` as a subprocess."""
import json
import subprocess
import sys
from pathlib import Path

from actions.onestop.store import DossierStore
from tests.onestop.conftest import dossier

ROOT = Path(__file__).resolve().parents[2]


def run_import(path: Path, db_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "actions.onestop", "import", str(path), "--db", db_url],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "dossiers.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_reports_new_and_updated(tmp_path, db_url):
    path = write(tmp_path, [dossier(), dossier(code="000.00.20.H37-251114-0124")])
    first = run_import(path, db_url)
    assert first.returncode == 0, first.stderr
    assert "2 new, 0 updated" in first.stdout
    again = run_import(write(tmp_path, [dossier(status=10)]), db_url)
    assert "0 new, 1 updated" in again.stdout
    assert DossierStore(db_url).get("000.00.20.H37-251114-0123").TrangThaiHoSo == 10


def test_a_malformed_entry_rejects_the_file_and_writes_nothing(tmp_path, db_url):
    path = write(tmp_path, [dossier(), dossier(code="bad code"), "not an object", dossier(TrangThaiHoSo=42)])
    result = run_import(path, db_url)
    assert result.returncode == 1
    assert "[1]" in result.stderr and "MaHoSo" in result.stderr
    assert "[2]" in result.stderr and "[3]" in result.stderr and "TrangThaiHoSo" in result.stderr
    assert "Traceback" not in result.stderr
    assert DossierStore(db_url).count() == 0


def test_unreadable_files_exit_with_a_clear_message(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    missing = run_import(tmp_path / "nowhere.json", url)
    assert missing.returncode == 2 and "không tìm thấy" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"[{\"MaHoSo\": \xff\xfe")
    result = run_import(broken, url)
    assert result.returncode == 2 and "JSON" in result.stderr and "Traceback" not in result.stderr
    not_a_list = write(tmp_path, {"MaHoSo": "x"})
    assert run_import(not_a_list, url).returncode == 1
