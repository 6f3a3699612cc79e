"""Zero the intent confidence of messages made only of words unlike any seen in training.

A classifier with a transformer still answers with high confidence when every feature of a
message is unknown ("=))", "😀", "qwzx plmk"): the prediction then comes from biases, not from
the message. Placed after the intent classifier and before FallbackClassifier, this component
sets the confidence of such messages to 0 so that the assistant asks instead of guessing.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, Iterable, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)
VOCABULARY_FILE = "vocabulary.json"


# A word counts as known when at least this share of its character trigrams occur in
# training words: typos of known words ("chàoo", "helo") stay known, keyboard mashing does not.
KNOWN_TRIGRAM_SHARE = 0.5


def token_key(token: Token) -> str:
    """What counts as "the same word": the lemma when the tokenizer gives one."""
    return (token.lemma or token.text or "").lower()


def trigrams(word: str) -> Set[str]:
    """Character trigrams of a word padded with "#", so short words have some."""
    padded = f"#{word}#"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def is_known(word: str, vocabulary: Set[str], vocabulary_trigrams: Set[str]) -> bool:
    """Seen in training, or close to it by character trigrams (alphanumeric words only)."""
    if word in vocabulary:
        return True
    if not any(char.isalnum() for char in word):
        return False
    grams = trigrams(word)
    return len(grams & vocabulary_trigrams) >= KNOWN_TRIGRAM_SHARE * len(grams)


def vocabulary_trigrams(vocabulary: Iterable[str]) -> Set[str]:
    """Every trigram of every training word."""
    return {gram for word in vocabulary for gram in trigrams(word)}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class UnknownWordsGuard(GraphComponent):
    """Sets intent confidence to 0 for messages with no known word."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {}

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Optional[Set[str]] = None,
    ) -> None:
        """Creates the guard with the training vocabulary (empty until trained)."""
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary: Set[str] = vocabulary or set()
        self.trigrams = vocabulary_trigrams(self.vocabulary)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "UnknownWordsGuard":
        """Creates a new, untrained guard."""
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "UnknownWordsGuard":
        """Loads the vocabulary stored with the model."""
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / VOCABULARY_FILE).read_text("utf-8"))
        except (ValueError, FileNotFoundError) as error:
            logger.warning("No vocabulary stored with the model (%s); guard disabled.", error)
            words = None
        return cls(model_storage, resource, set(words) if words else None)

    def train(self, training_data: TrainingData) -> Resource:
        """Collects every token key of the training messages and stores it with the model."""
        self.vocabulary = {
            token_key(token)
            for example in training_data.intent_examples
            for token in example.get(TOKENS_NAMES[TEXT]) or []
        }
        self.trigrams = vocabulary_trigrams(self.vocabulary)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(sorted(self.vocabulary), ensure_ascii=False), "utf-8"
            )
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Zeroes the confidence of messages without a single known word."""
        if not self.vocabulary:
            return messages
        for message in messages:
            intent = message.get(INTENT)
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            if not intent or any(
                is_known(token_key(t), self.vocabulary, self.trigrams) for t in tokens
            ):
                continue
            intent["confidence"] = 0.0
            for ranked in message.get(INTENT_RANKING_KEY) or []:
                ranked["confidence"] = 0.0
        return messages
