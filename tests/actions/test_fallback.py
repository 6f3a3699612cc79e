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


def test_ask_affirmation_offers_the_procedures_the_message_names():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "request_human", "confidence": 0.3},
               {"name": "ask_fee", "confidence": 0.2}, {"name": "greet", "confidence": 0.1}]
    messages, _ = run(ActionDefaultAskAffirmation(), make_tracker("cap lai the can cuoc mat bao nhieu tien", "nlu_fallback", ranking))
    (message,) = messages
    payloads = [b["payload"] for b in message["buttons"]]
    # The attribute comes from the words ("bao nhiêu tiền"); the codes from the catalogue.
    procedure_buttons = [p for p in payloads if p.startswith("/ask_fee{")]
    assert procedure_buttons and all("procedure_code" in p for p in procedure_buttons)
    assert message["buttons"][0]["title"].startswith("Cấp lại thẻ căn cước")
    assert payloads[-1] == "/out_of_scope"
    assert len(payloads) <= 4
    assert "thủ tục" in message["text"]


def test_ask_affirmation_offers_no_procedure_for_chatter():
    messages, _ = run(ActionDefaultAskAffirmation(), make_tracker("hmm ok", "nlu_fallback", RANKING))
    (message,) = messages
    assert not any("procedure_code" in b["payload"] for b in message["buttons"])
