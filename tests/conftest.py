"""Shared fixtures: the real Rasa model (trained once per session) and tracker helpers."""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RASA_DATA = [str(ROOT / "data" / "nlu"), str(ROOT / "data" / "dialogue")]


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Train the project's model (config.yml, domain/, data/) once for the whole session.

    Set TEST_MODEL_PATH to reuse an already trained model while iterating locally.
    """
    if os.environ.get("TEST_MODEL_PATH"):
        return Path(os.environ["TEST_MODEL_PATH"])
    from rasa.model_training import train

    output = tmp_path_factory.mktemp("models")
    result = train(
        domain=str(ROOT / "domain"),
        config=str(ROOT / "config.yml"),
        training_files=RASA_DATA,
        output=str(output),
        fixed_model_name="test-model",
    )
    assert result.code == 0, "training failed"
    return Path(result.model)


@pytest.fixture(scope="session")
def agent(model_path: Path) -> Any:
    """The trained model loaded as a Rasa agent (NLU and dialogue, no action server)."""
    from rasa.core.agent import Agent

    return Agent.load(str(model_path))


@pytest.fixture(scope="session")
def parse(agent: Any):
    """Parse a message with the real model and return Rasa's parse result."""

    def _parse(text: str) -> Dict[str, Any]:
        return asyncio.run(agent.parse_message(text))

    return _parse


def make_tracker(
    text: str = "",
    intent: Optional[str] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
):
    """A rasa_sdk Tracker whose latest message is the given parse result."""
    from rasa_sdk import Tracker

    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "intent_ranking": ranking or [],
        "entities": entities or [],
    }
    return Tracker("test-user", {}, latest, [], False, None, {}, "action_listen")
