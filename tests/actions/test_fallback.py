"""Tests for actions/fallback.py with real rasa_sdk trackers and dispatchers."""
import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import (
    ActionDefaultAskAffirmation,
    ActionDefaultFallback,
    intent_payload,
    likeliest_intents,
)
from tests.conftest import make_tracker

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.5},
    {"name": "ask_fee", "confidence": 0.31},
    {"name": "out_of_scope", "confidence": 0.2},
    {"name": "ask_duration", "confidence": 0.19},
    {"name": "ask_agency", "confidence": 0.1},
]


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_likeliest_intents_skip_fallback_and_deny_choices():
    assert likeliest_intents({"intent_ranking": RANKING}) == ["ask_fee", "ask_duration"]
    assert likeliest_intents({}) == []
    # Answers to the dossier form are not a topic to offer.
    ranking = [{"name": "inform", "confidence": 0.4}] + RANKING
    assert likeliest_intents({"intent_ranking": ranking}) == ["ask_fee", "ask_duration"]


def test_payload_keeps_recognised_entities():
    entities = [{"entity": "dossier_code", "value": "000.00.20.H37-251114-0123"}]
    assert intent_payload("lookup_dossier", entities) == (
        '/lookup_dossier{"dossier_code": "000.00.20.H37-251114-0123"}'
    )
    assert intent_payload("ask_fee", []) == "/ask_fee"


def test_ask_affirmation_offers_the_two_likeliest_topics_and_a_way_out():
    messages, events = run(ActionDefaultAskAffirmation(), make_tracker("le phi j", "nlu_fallback", RANKING))
    (message,) = messages
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads == ["/ask_fee", "/ask_duration", "/out_of_scope"]
    assert message["buttons"][0]["title"] == "Phí, lệ phí"
    assert events == []


def test_default_fallback_gives_the_hotline_and_reverts_the_message():
    messages, events = run(ActionDefaultFallback(), make_tracker("???", "nlu_fallback"))
    (message,) = messages
    assert "1800 1096" in message["text"]
    assert "Thứ Hai" in message["text"]
    assert events == [{"event": "rewind", "timestamp": None}]
