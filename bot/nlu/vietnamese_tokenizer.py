"""Rasa tokenizer for Vietnamese as people type it, on top of underthesea's word segmentation.

Tokens:
- `text` is the word as underthesea writes it, syllables joined by "_" ("giấy_phép");
- `start`/`end` always index the original message, whatever underthesea normalised;
- `lemma` is the accent-folded form with shorthand expanded ("cccd" -> "can_cuoc_cong_dan",
  "ko" -> "khong"), so featurizers using lemmas see the same thing with or without diacritics.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.lexicon import MAX_PHRASE_SYLLABLES, Lexicon, folded_phrase, lemma_of
from bot.nlu.vietnamese_text import (
    blank_controls,
    end_of_match,
    fold,
    folded_key_map,
    has_diacritics,
    nfc,
    special_spans,
    syllables,
)

logger = logging.getLogger(__name__)
MAX_TOKENIZED_CHARS = 2000  # a message is read up to here; the channels allow 1,000


@dataclass
class _Word:
    """A word aligned to the original text, before it becomes a Rasa token."""

    text: str
    start: int
    end: int
    key: str  # folded syllables separated by spaces
    lemma: Optional[str] = None


def _segment(text: str, fixed_words: List[str]) -> List[str]:
    """underthesea's word segmentation, imported lazily (it loads a CRF model)."""
    from underthesea import word_tokenize

    return word_tokenize(text, fixed_words=fixed_words)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class VietnameseTokenizer(Tokenizer, GraphComponent):
    """Vietnamese word tokenizer with exact offsets, folded lemmas and a domain lexicon."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # Lookup table in the NLU data whose elements are domain terms.
            "domain_lookup_table": "domain_term",
            # Learn compounds from underthesea's segmentation of accented training messages.
            "learn_compounds": True,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        """Any extra python dependencies required for this component to run."""
        return ["underthesea"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        lexicon: Optional[Lexicon] = None,
    ) -> None:
        """Creates the tokenizer; the lexicon is empty until trained or loaded."""
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self.lexicon = lexicon or Lexicon()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "VietnameseTokenizer":
        """Creates a new, untrained tokenizer."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "VietnameseTokenizer":
        """Loads the tokenizer with the lexicon stored in the model."""
        try:
            with model_storage.read_from(resource) as directory:
                lexicon = Lexicon.load(directory)
        except (ValueError, FileNotFoundError, KeyError) as error:
            logger.warning("No lexicon stored with the model (%s); using none.", error)
            lexicon = Lexicon()
        return cls(config, model_storage, resource, lexicon)

    def train(self, training_data: TrainingData) -> Resource:
        """Builds the lexicon from the NLU data and stores it with the model."""
        table = self._config["domain_lookup_table"]
        domain_terms: List[str] = []
        for lookup in training_data.lookup_tables:
            if lookup.get("name") == table and isinstance(lookup.get("elements"), list):
                domain_terms.extend(str(e) for e in lookup["elements"])
        compounds: List[str] = []
        vocabulary: List[str] = []
        for example in training_data.intent_examples:
            text = example.get(TEXT) or ""
            vocabulary.append(text)
            if self._config["learn_compounds"] and has_diacritics(text):
                compounds.extend(w for w in _segment(nfc(text), []) if " " in w)
        self.lexicon = Lexicon.build(
            domain_terms, dict(training_data.entity_synonyms), compounds, vocabulary
        )
        if self._model_storage is not None and self._resource is not None:
            with self._model_storage.write_to(self._resource) as directory:
                self.lexicon.save(directory)
        logger.debug("Lexicon: %d phrases.", len(self.lexicon.phrases))
        return self._resource

    # -- tokenization -------------------------------------------------------------------------

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokenizes the text of the provided attribute of the incoming message."""
        # The channels refuse long messages before NLU; this bounds every other path (Rasa's HTTP
        # API, tests, training data): segmentation grows faster than linearly with length.
        text = (message.get(attribute) or "")[:MAX_TOKENIZED_CHARS]
        tokens: List[Token] = []
        cursor = 0
        for kind, start, end in special_spans(text):
            tokens.extend(self._tokenize_words(text, cursor, start))
            tokens.append(Token(text[start:end], start, end, lemma=f"__{kind}__"))
            cursor = end
        tokens.extend(self._tokenize_words(text, cursor, len(text)))
        if not tokens and text.strip():
            # Only emoji or punctuation ("=))"): keep the whole message as one token.
            start = len(text) - len(text.lstrip())
            stripped = text.strip()
            tokens = [Token(stripped, start, start + len(stripped), lemma=stripped)]
        return self._apply_token_pattern(tokens)

    def _tokenize_words(self, text: str, start: int, end: int) -> List[Token]:
        """Tokens for text[start:end], a span with no URL, code or number in it."""
        chunk = blank_controls(text[start:end])
        if not any(True for _ in syllables(chunk)):
            return []
        if has_diacritics(chunk):
            words = self._align(chunk, _segment(nfc(chunk), self.lexicon.fixed_words))
        else:
            words = [
                _Word(s, s_start, s_end, self.lexicon.repair_syllable(fold(s)))
                for s, s_start, s_end in syllables(chunk)
            ]
        words = self._merge_phrases(chunk, words)
        return [
            Token(
                w.text,
                start + w.start,
                start + w.end,
                lemma=w.lemma or self.lexicon.lookup(w.key) or lemma_of(w.key),
            )
            for w in words
        ]

    def _align(self, chunk: str, segmented: List[str]) -> List[_Word]:
        """Place underthesea's words on the original chunk by matching folded syllables.

        underthesea normalises characters ("hoà" -> "hòa", decomposed -> composed), so its
        words are not always substrings. Syllables it dropped or altered beyond recognition
        are put back as single-syllable words so that no part of the message is lost.
        """
        key, positions = folded_key_map(chunk)
        cursor = 0
        words: List[_Word] = []
        for word in segmented:
            parts = [folded_phrase(p) for p in word.split()]
            parts = [p for p in parts if any(c.isalnum() for c in p)]
            if not parts:
                continue  # punctuation, emoji
            spans = []
            search_from = cursor
            for part in parts:
                found = key.find(part, search_from)
                if found < 0:
                    spans = []
                    break
                spans.append((positions[found], end_of_match(chunk, positions[found + len(part) - 1])))
                search_from = found + len(part)
            if not spans:
                continue
            cursor = search_from
            words.append(
                _Word(
                    "_".join(nfc(word).split()),
                    spans[0][0],
                    spans[-1][1],
                    " ".join(self.lexicon.repair_syllable(p) for p in parts),
                )
            )
        covered = [(w.start, w.end) for w in words]
        for syllable, s_start, s_end in syllables(chunk):
            if not any(a <= s_start and s_end <= b for a, b in covered):
                repaired = self.lexicon.repair_syllable(fold(syllable))
                words.append(_Word(nfc(syllable), s_start, s_end, repaired))
        words.sort(key=lambda w: w.start)
        return words

    def _merge_phrases(self, chunk: str, words: List[_Word]) -> List[_Word]:
        """Join consecutive words that form a lexicon phrase (longest match first)."""
        merged: List[_Word] = []
        index = 0
        while index < len(words):
            best_end, best_lemma = index + 1, None
            syllable_count = 0
            for stop in range(index, len(words)):
                if stop > index and chunk[words[stop - 1].end : words[stop].start].strip():
                    break  # punctuation between words: never one phrase
                syllable_count += words[stop].key.count(" ") + 1
                if syllable_count > MAX_PHRASE_SYLLABLES:
                    break
                phrase_key = " ".join(w.key for w in words[index : stop + 1])
                lemma = self.lexicon.lookup(phrase_key)
                if lemma is not None:
                    best_end, best_lemma = stop + 1, lemma
            group = words[index:best_end]
            merged.append(
                _Word(
                    "_".join(w.text for w in group),
                    group[0].start,
                    group[-1].end,
                    " ".join(w.key for w in group),
                    best_lemma,
                )
            )
            index = best_end
        return merged
