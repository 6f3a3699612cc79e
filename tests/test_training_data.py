"""The NLU data and the domain: coverage of the contract, variety, Rasa's own validation."""
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlu.vietnamese_text import has_diacritics

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_INTENTS = [
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "ask_capabilities",
    "ask_procedure", "ask_documents", "ask_forms", "ask_fee", "ask_duration", "ask_agency",
    "ask_steps", "ask_conditions", "ask_result", "ask_online", "ask_legal_basis",
    "lookup_dossier", "request_human", "ask_internal_process", "out_of_scope",
]


@pytest.fixture(scope="module")
def examples_by_intent():
    data = load_data(str(ROOT / "data" / "nlu"))
    grouped = defaultdict(list)
    for example in data.intent_examples:
        grouped[example.get("intent")].append(example.get("text"))
    return grouped


@pytest.mark.parametrize("intent", CONTRACT_INTENTS)
def test_every_contract_intent_has_30_varied_examples(examples_by_intent, intent):
    texts = examples_by_intent[intent]
    assert len(texts) >= 30
    assert len(set(texts)) == len(texts), "duplicate examples"
    unaccented = sum(not has_diacritics(t) for t in texts) / len(texts)
    assert 0.2 <= unaccented <= 0.6, f"{unaccented:.0%} without diacritics"
    lengths = [len(t.split()) for t in texts]
    assert min(lengths) <= 6 and max(lengths) >= 2 * min(lengths), "short and long messages"


def test_no_example_is_labelled_with_two_intents(examples_by_intent):
    owners = Counter(t.lower().strip() for texts in examples_by_intent.values() for t in set(texts))
    assert [t for t, n in owners.items() if n > 1] == []


def test_codes_are_annotated_in_their_intents():
    data = load_data(str(ROOT / "data" / "nlu"))
    annotated = [e for e in data.intent_examples if e.get("entities")]
    by_entity = {}
    for example in annotated:
        for entity in example.get("entities"):
            by_entity.setdefault(entity["entity"], set()).add(example.get("intent"))
    assert set(by_entity) == {"dossier_code", "procedure_code"}
    assert by_entity["dossier_code"] == {"lookup_dossier"}
    assert by_entity["procedure_code"] <= {"ask_procedure"}
    assert sum(1 for e in annotated if e.get("entities")[0]["entity"] == "dossier_code") >= 10


def test_procedure_catalogue_is_not_training_data():
    """data/procedures/ must stay out of Rasa's training data loading."""
    makefile = (ROOT / "Makefile").read_text()
    assert "RASA_DATA := data/nlu data/dialogue" in makefile


def test_rasa_data_validate_is_clean():
    env = dict(os.environ, ACTIONS_PORT="5055", TRACKER_STORE_URL="sqlite://")
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain",
         "--data", "data/nlu", "data/dialogue", "--config", "config.yml", "--fail-on-warnings"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
