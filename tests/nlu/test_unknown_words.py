"""Tests for bot/nlu/unknown_words.py with the real tokenizer and model storage."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.unknown_words import UnknownWordsGuard, is_known, vocabulary_trigrams
from bot.nlu.vietnamese_tokenizer import VietnameseTokenizer

CONTEXT = ExecutionContext(GraphSchema({}), "test")


@pytest.fixture
def guard(tmp_path):
    storage = LocalModelStorage(tmp_path)
    tokenizer = VietnameseTokenizer(VietnameseTokenizer.get_default_config())
    data = TrainingData([
        Message({"text": "lệ phí làm hộ chiếu", "intent": "ask_fee"}),
        Message({"text": "xin chào", "intent": "greet"}),
    ])
    tokenizer.train(data)  # learns "lệ phí" as a compound, so "le phi" matches
    tokenizer.process_training_data(data)
    component = UnknownWordsGuard.create({}, storage, Resource("guard"), CONTEXT)
    component.train(data)
    return tokenizer, UnknownWordsGuard.load({}, storage, Resource("guard"), CONTEXT)


def classified(tokenizer, text):
    message = Message({"text": text})
    tokenizer.process([message])
    message.set("intent", {"name": "affirm", "confidence": 0.97})
    message.set("intent_ranking", [{"name": "affirm", "confidence": 0.97}])
    return message


@pytest.mark.parametrize("text", ["=))", "😀", "qwzx plmk", "x" * 500, ""])
def test_message_without_a_known_word_loses_its_confidence(guard, text):
    tokenizer, component = guard
    (message,) = component.process([classified(tokenizer, text)])
    assert message.get("intent")["confidence"] == 0.0
    assert message.get("intent_ranking")[0]["confidence"] == 0.0


@pytest.mark.parametrize("text", ["le phi bao nhieu", "chào bạn", "HỘ CHIẾU =))"])
def test_message_with_a_known_word_keeps_it(guard, text):
    tokenizer, component = guard
    (message,) = component.process([classified(tokenizer, text)])
    assert message.get("intent")["confidence"] == 0.97


@pytest.mark.parametrize("text", ["chàoo", "xin chaooo", "le phii"])
def test_typos_of_known_words_stay_known(guard, text):
    tokenizer, component = guard
    (message,) = component.process([classified(tokenizer, text)])
    assert message.get("intent")["confidence"] == 0.97


def test_trigram_share():
    vocabulary = {"xin", "chao"}
    grams = vocabulary_trigrams(vocabulary)
    assert is_known("chaoo", vocabulary, grams)
    assert not is_known("qwzx", vocabulary, grams)
    assert not is_known("=))", vocabulary, grams)
