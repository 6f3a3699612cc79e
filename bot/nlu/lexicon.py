"""The tokenizer's lexicon: domain terms, shorthand and compounds, all keyed by folded text.

Built at training time from the NLU data (lookup table `domain_term`, synonyms) and from
underthesea's segmentation of the accented training messages, then stored with the model.
A message typed without diacritics is segmented with the same compounds as its accented twin.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

from bot.nlu.vietnamese_text import fold, has_diacritics, syllables

LEXICON_FILE = "lexicon.json"
MAX_PHRASE_SYLLABLES = 8
# Telex leaves these letters behind when the IME is off: "lamf" = "làm", "thur tucj" = "thủ tục".
TELEX_TONE_KEYS = "sfrxj"


def folded_phrase(text: str) -> str:
    """Folded, space-normalised key of a phrase ('Căn  cước' -> 'can cuoc')."""
    return " ".join(fold(text).replace("_", " ").split())


def lemma_of(key: str) -> str:
    """Lemma for a folded phrase key: syllables joined like underthesea's compounds."""
    return key.replace(" ", "_")


@dataclass
class Lexicon:
    """Folded phrase -> lemma, plus accented terms for underthesea's `fixed_words`."""

    phrases: Dict[str, str] = field(default_factory=dict)
    fixed_words: List[str] = field(default_factory=list)
    syllables: Set[str] = field(default_factory=set)

    @classmethod
    def build(
        cls,
        domain_terms: Iterable[str],
        synonyms: Dict[str, str],
        compounds: Iterable[str],
        vocabulary: Iterable[str],
    ) -> "Lexicon":
        """Combine the sources; shorthand (synonyms) wins over everything else.

        `vocabulary` is the training messages: their accented syllables tell which
        unaccented syllables exist (to undo Telex leftovers such as "lamf").
        """
        phrases: Dict[str, str] = {}
        terms = [t.strip() for t in domain_terms if t and t.strip()]
        for phrase in list(compounds) + terms:
            key = folded_phrase(phrase)
            if " " in key:
                phrases.setdefault(key, lemma_of(key))
        for variant, canonical in synonyms.items():
            canonical_key = folded_phrase(canonical)
            if not canonical_key:
                continue
            phrases[folded_phrase(variant)] = lemma_of(canonical_key)
            if " " in canonical_key:
                phrases.setdefault(canonical_key, lemma_of(canonical_key))
        # Syllables typed with diacritics are real; unaccented ones may be Telex leftovers.
        known = {
            fold(syllable)
            for text in vocabulary
            for syllable, _, _ in syllables(text)
            if has_diacritics(syllable)
        }
        fixed = sorted(
            {t.lower() for t in terms if " " in t.strip() and has_diacritics(t)},
            key=lambda t: (-len(t), t),
        )
        return cls(phrases=phrases, fixed_words=fixed, syllables=known)

    def lookup(self, key: str) -> Optional[str]:
        """Lemma of a folded phrase, or None."""
        return self.phrases.get(key)

    def repair_syllable(self, syllable_key: str) -> str:
        """Undo a Telex tone key left in an unaccented syllable ('lamf' -> 'lam') when that is
        what makes it a known syllable."""
        if (
            len(syllable_key) > 2
            and syllable_key[-1] in TELEX_TONE_KEYS
            and syllable_key not in self.syllables
            and syllable_key[:-1] in self.syllables
        ):
            return syllable_key[:-1]
        return syllable_key

    def save(self, directory: Path) -> None:
        """Write the lexicon into a model storage directory."""
        payload = {
            "phrases": self.phrases,
            "fixed_words": self.fixed_words,
            "syllables": sorted(self.syllables),
        }
        (directory / LEXICON_FILE).write_text(
            json.dumps(payload, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> "Lexicon":
        """Read a lexicon written by `save`."""
        payload = json.loads((directory / LEXICON_FILE).read_text(encoding="utf-8"))
        return cls(
            phrases=dict(payload["phrases"]),
            fixed_words=list(payload["fixed_words"]),
            syllables=set(payload["syllables"]),
        )
