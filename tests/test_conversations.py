"""Conversation tests: Rasa's own test stories (tests/stories/) against the trained model."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_test_stories_pass(model_path, tmp_path):
    env = dict(os.environ, ACTIONS_PORT="5055", TRACKER_STORE_URL="sqlite://", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(model_path),
         "--stories", str(ROOT / "tests" / "stories"), "--out", str(tmp_path),
         "--fail-on-prediction-errors", "--no-plot"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, details[-4000:] + result.stdout[-2000:] + result.stderr[-2000:]
