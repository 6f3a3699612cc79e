"""Find the procedure a person means: BM25 (bm25s) over folded names, rapidfuzz for typos and
re-ranking, and a prior for the procedures citizens of a province actually use.

The engine is built once per catalogue; `search` is pure and thread-safe.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import bm25s
import numpy as np
import yaml
from scipy import sparse
from rapidfuzz import fuzz, process

from actions.procedures.catalogue import Catalogue
from actions.procedures.knowledge import ProcedureKnowledge, procedure_knowledge
from actions.procedures.knowledge import abbreviations as known_abbreviations
from actions.procedures.schema import Level, Procedure
from bot.nlu.vietnamese_text import fold, nfc

ROOT = Path(__file__).resolve().parents[2]
SYNONYMS_FILE = Path(__file__).with_name("synonyms.yml")
COLLOQUIAL_FILE = Path(__file__).with_name("colloquial.yml")
SHORTHAND_FILE = ROOT / "data" / "nlu" / "lexicon" / "shorthand.yml"

# Question and filler words (folded). Folding merges syllables ("hồ"/"hộ", "đăng"/"đang",
# "căn"/"cần"), so only words that stay unambiguous without accents are listed alone;
# the rest are removed as phrases. BM25's IDF takes care of what is left.
STOP_PHRASES = (
    "can nhung gi", "can nhung giay to gi", "can giay to gi", "can gi", "nhu the nao", "the nao",
    "lam sao", "lam the nao", "lam gi", "lam o dau", "o dau", "bao nhieu", "bao lau", "cho hoi",
    "cho minh hoi", "cho em hoi", "cho toi hoi", "xin hoi", "muon hoi", "hoi ve", "thu tuc",
    "ho so", "giay to", "huong dan", "thong tin", "vui long", "giup minh", "giup em", "giup toi",
    "duoc khong", "co duoc", "phai lam", "can lam", "muon lam", "di lam", "thi sao", "lang son",
    "tinh lang son", "o lang son", "vay a", "vay ban", "cho toi", "cho minh", "toi muon", "minh muon",
    "em muon", "ban oi", "a oi", "lam sao", "sao a", "cho anh hoi", "cho chi hoi", "cho ban hoi",
    "cho e hoi", "cho mk hoi", "hoi chut", "muon hoi", "can hoi",
    "thi the nao", "thi can gi", "thi lam sao", "the thi", "con gi nua",
)
# Single words only when no procedure name uses their folded form: "ban" (bản sao, bán),
# "sao" (bản sao), "hoi" (thu hồi), "chi" (chi nhánh), "nha" (nhà), "vay" (vay vốn) stay.
STOPWORDS = frozenset("a ah oi nhe nhi ha em tui gi j nao ko k hok kg dc giup xin ntn voi nhung".split())
# Words that only say which attribute is asked ("lệ phí", "mất bao lâu"): not part of the name.
ATTRIBUTE_PHRASES = (
    "het bao nhieu tien", "mat bao nhieu tien", "nop tien", "mat bao lau", "mat bao nhieu", "mat phi", "mat tien", "mat may ngay", "co mat phi", "le phi",
    "thoi gian giai quyet", "thoi han giai quyet", "thoi gian xu ly", "bao gio co ket qua",
    "khi nao co ket qua", "nop ho so o dau", "nop ho so", "ho so gom", "can chuan bi", "chuan bi gi",
    "mang theo", "ket qua giai quyet", "chi phi", "mat phi", "phi", "bao nhieu tien", "het bao nhieu", "mat bao lau",
    "thoi gian", "thoi han", "may ngay", "bao nhieu ngay", "mau don", "bieu mau", "to khai mau",
    "o dau", "noi nop", "nop o dau", "co quan nao", "can cu phap ly", "can cu", "quy dinh",
    "trinh tu", "cac buoc", "quy trinh", "dieu kien gi", "ket qua", "nhan duoc gi",
    "nop online", "online", "nop truc tuyen", "qua mang", "tren mang",
)
# "còn …", "thế còn …", "vậy còn …" open a follow-up; the word says nothing about the procedure.
_FOLLOW_UP_LEAD = re.compile(r"^(?:(?:the|vay|the thi|con)\s+)*con\s+")
UNKNOWN_WORD_WEIGHT = 1.5
# Words that make a procedure a variant of a base one ("đăng ký lại kết hôn", "cấp đổi …",
# "… có yếu tố nước ngoài"). A citizen who does not say them means the base procedure.
VARIANT_PHRASES = (
    "lại", "cấp đổi", "đổi", "gia hạn", "điều chỉnh", "thay đổi", "bổ sung", "hủy", "huỷ", "xóa", "xoá",
    "thu hồi", "chấm dứt", "tạm ngừng", "chuyển đổi", "cải chính", "đính chính", "hiệu đính",
    "khôi phục", "nước ngoài", "lưu động", "kết hợp", "liên thông", "miễn", "giải thể", "tạm thời",
)
# In names the accents tell "lại" (again) from "lái" (drive); a question typed without them
# cannot, so "lai xe" and "để lại" (left behind) are taken out before looking for variants.
_NAME_VARIANT_RE = re.compile(r"(?<!\w)(" + "|".join(sorted(VARIANT_PHRASES, key=len, reverse=True)) + r")(?!\w)")
_NOT_A_VARIANT = re.compile(r"\b(lai xe|bang lai|de lai)\b")
BASE_WORDS = frozenset({"thanh", "lap", "moi", "lan", "dau", "cap", "thu", "tuc"})
_SEGMENT_SPLIT = re.compile(r"[;/(]")
_NAME_PREFIX = re.compile(r"^thu tuc\s+")
# Chat shorthand whose folded form is also a word of procedure names ("hông" = không, but
# "hong" is also "hồng" in "sổ hồng" and "hỏng" in "bị hỏng"); one-letter shorthand ("a" =
# anh, but "ạ" folds to "a" too) is left to the stop words.
_SHORTHAND_NOT_FOR_SEARCH = frozenset({"hong", "bit"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
_TELEX_TAIL = "sfrxj"
# What the ranker knows about each candidate (see ProcedureSearch.candidates); its weights are
# learned by bench/train_ranker.py and kept in RANKER_FILE.
FEATURES = (
    "bm25", "body", "situation", "recall", "precision", "request_recall", "request_precision",
    "alias_recall", "alias_precision", "fuzzy", "level", "central", "popularity",
    "variant_missing", "variant_matched", "bigrams", "name_words",
)
RANKER_FILE = Path(__file__).with_name("ranker.json")
# Used only when RANKER_FILE is missing: the hand weights the learned ranker replaced.
DEFAULT_WEIGHTS = {
    "bm25": 0.5, "body": 0.15, "recall": 0.25, "precision": 0.15, "fuzzy": 0.1, "level": 0.05,
    "popularity": 0.15, "variant_missing": -0.05,
}
POOL = 50  # candidates ranked per question
EXACT_NAME_BONUS = 5.0
_LEVEL_SUFFIX = re.compile(r"\bthuc hien (?:tai|o) cap (?:tinh|xa|huyen|trung uong|bo)\b")
# Long messages tell a story, then ask: the asking sentence weighs more ("request_*" features).
_SENTENCE_SPLIT = re.compile(r"[.!?;\n]+")
_QUESTION_CUE = re.compile(
    r"\b(thi|the nao|ntn|nhu nao|ra sao|lam sao|can gi|o dau|bao nhieu|bao lau|khong|ko|duoc|muon|xin|hoi|"
    r"phai|can|gi|j|nao|sao)\b"
)
LEVEL_PRIOR = {Level.commune: 1.0, Level.provincial: 1.0, Level.district: 0.6, Level.other: 0.3, Level.central: 0.0}


# Vietnamese writes these syllables with "i" or "y" alike ("đăng kí"/"đăng ký", "lí"/"lý",
# "công ti"/"công ty"); one spelling for both sides of every comparison.
_I_Y = {"ki": "ky", "li": "ly", "mi": "my", "si": "sy", "ti": "ty", "hi": "hy", "qui": "quy"}


def normalize(text: str) -> str:
    """Folded, lower-case words separated by single spaces ('Sổ  đỏ?' -> 'so do', 'kí' -> 'ky')."""
    return " ".join(_I_Y.get(word, word) for word in _NON_WORD.sub(" ", fold(nfc(text or ""))).split())


_VARIANT_RE = re.compile(r"\b(" + "|".join(sorted({normalize(p) for p in VARIANT_PHRASES}, key=len, reverse=True)) + r")\b")


def _load_pairs(path: Path) -> List[Tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(data, dict) and "nlu" in data:  # Rasa synonym format (shorthand.yml)
        pairs = []
        for item in data["nlu"]:
            if "synonym" in item:
                for example in str(item.get("examples", "")).splitlines():
                    example = example.strip().lstrip("-").strip()
                    if example:
                        pairs.append((normalize(example), normalize(item["synonym"])))
        return pairs
    return [(normalize(str(key)), normalize(str(value))) for key, value in data.items()]


@lru_cache(maxsize=1)
def _procedure_pairs() -> Tuple[Tuple[str, str], ...]:
    pairs = _load_pairs(SYNONYMS_FILE)
    if COLLOQUIAL_FILE.exists():
        known = {phrase for phrase, _ in pairs}
        pairs += [pair for pair in _load_pairs(COLLOQUIAL_FILE) if pair[0] not in known]
    return tuple(pairs)


@lru_cache(maxsize=1)
def default_rewrites() -> Tuple[Tuple[str, str], ...]:
    """(phrase, replacement) pairs, procedure synonyms first, longest phrase first."""
    pairs = list(_procedure_pairs())
    if SHORTHAND_FILE.exists():
        known = {phrase for phrase, _ in pairs}
        pairs += [
            pair for pair in _load_pairs(SHORTHAND_FILE) if pair[0] not in known and pair[0] not in _SHORTHAND_NOT_FOR_SEARCH and len(pair[0]) > 1
        ]
    pairs = [(phrase, value) for phrase, value in pairs if phrase and phrase != value]
    return tuple(sorted(dict(pairs).items(), key=lambda pair: -len(pair[0])))


def _rewrite_pattern(rewrites: Sequence[Tuple[str, str]]) -> Optional[re.Pattern]:
    if not rewrites:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(phrase) for phrase, _ in rewrites) + r")\b")


_VOWELS = set("aeiou")  # "y" too often ends an abbreviation (BHYT)
# Folded, "lái xe" (drive) and "lại" (again) are one word: "giấy phép lái xe" would half-match
# every "Cấp lại …". After the words that only go with driving, it becomes one token, in names
# and questions alike ("đăng ký lại xe", re-register a vehicle, keeps its "lại").
_DRIVING = re.compile(r"\b(phep|dao tao|sat hach|hoc|tap|day|thuc hanh|giao vien|bang) lai xe\b")


def join_driving(text: str) -> str:
    """'giay phep lai xe' -> 'giay phep laixe' (folded text)."""
    return _DRIVING.sub(r"\1 laixe", text)


def _is_abbreviation(phrase: str) -> bool:
    """'tnhh', 'bhxh', 'gcn qsdd': words without vowels (or one all-caps-style token like 'cty')."""
    return all(not (_VOWELS & set(word)) for word in phrase.split()) or phrase in {"cty", "attp", "vstp", "oto"}


def bigrams(words: Sequence[str]) -> List[str]:
    """Adjacent word pairs joined by '_' ('ho chieu' -> 'ho_chieu')."""
    return [f"{first}_{second}" for first, second in zip(words, words[1:])]


def doc_tokens(text: str) -> List[str]:
    """Index terms of a text: words and word pairs, folded."""
    words = normalize(text).split()
    return words + bigrams(words)


class BM25Index:
    """bm25s computes the BM25 weights; scipy sums them per query.

    bm25s' numpy backend scores with `np.add.at`, which took ~8 ms per query at 20,000
    records; a CSC matrix column sum gives the same scores in well under a millisecond.
    """

    def __init__(self, corpus: List[List[str]], k1: float, b: float) -> None:
        model = bm25s.BM25(k1=k1, b=b)
        model.index(corpus, show_progress=False)
        weights = model.scores
        columns = len(weights["indptr"]) - 1
        self.matrix = sparse.csc_matrix(
            (weights["data"], weights["indices"], weights["indptr"]), shape=(weights["num_docs"], columns)
        )
        self.vocab: Dict[str, int] = {token: index for token, index in model.vocab_dict.items() if index < columns}

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (unknown tokens ignored)."""
        ids = [self.vocab[token] for token in tokens if token in self.vocab]
        if not ids:
            return np.zeros(self.matrix.shape[0], dtype=np.float32)
        return np.asarray(self.matrix[:, ids].sum(axis=1)).ravel()


@dataclass(frozen=True)
class Hit:
    """One search result."""

    code: str
    name: str
    score: float
    coverage: float = 1.0  # IDF share of the question's words found in the name (0–1)
    precision: float = 1.0  # IDF share of the (best part of the) name the question asked for (0–1)
    confidence: float = 1.0  # the ranker's share of belief in this result among all candidates (0–1)


class Ranker:
    """A linear scoring of candidate features, learned by bench/train_ranker.py (listwise softmax)."""

    def __init__(self, weights: Dict[str, float], bias: float = 0.0) -> None:
        self.weights = {name: float(weights.get(name, 0.0)) for name in FEATURES}
        self.vector = np.asarray([self.weights[name] for name in FEATURES], dtype=np.float64)
        self.bias = float(bias)

    @classmethod
    def load(cls, path: Path = RANKER_FILE) -> "Ranker":
        """The learned ranker, or the hand weights when no file was trained."""
        if not path.exists():
            return cls(DEFAULT_WEIGHTS)
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["weights"], data.get("bias", 0.0))

    def score(self, features: np.ndarray) -> np.ndarray:
        """One score per row of features."""
        return features @ self.vector + self.bias


@dataclass(frozen=True)
class Query:
    """What the engine made of a message."""

    text: str  # normalized and rewritten
    words: Tuple[str, ...]  # content words, typos repaired
    unknown: Tuple[str, ...]  # content words found nowhere in the catalogue


class ProcedureSearch:
    """Search engine over one catalogue, built once."""

    def __init__(
        self,
        procedures: Iterable[Procedure],
        rewrites: Optional[Sequence[Tuple[str, str]]] = None,
        ranker: Optional[Ranker] = None,
        knowledge: Optional[Dict[str, ProcedureKnowledge]] = None,
    ) -> None:
        self.procedures: List[Procedure] = list(procedures)
        self.ranker = ranker or Ranker.load()
        knowledge = procedure_knowledge() if knowledge is None else knowledge
        self.rewrites = dict(default_rewrites() if rewrites is None else rewrites)
        # Administrative abbreviations (data/knowledge/abbreviations.yml): the unambiguous ones
        # join the rewrites (never replacing a reviewed synonym); the ambiguous ones are expanded
        # only when a word of their context is in the message.
        self._contextual: List[Tuple[re.Pattern, str, re.Pattern]] = []
        for entry in known_abbreviations() if rewrites is None else ():
            full = normalize(entry.full)
            for short in {normalize(short) for short in entry.short} - {full, ""}:
                if entry.needs_context:
                    context = "|".join(re.escape(normalize(word)) for word in entry.needs_context if normalize(word))
                    self._contextual.append((re.compile(rf"\b{re.escape(short)}\b"), full, re.compile(rf"\b({context})\b")))
                elif short not in self.rewrites:
                    self.rewrites[short] = full
        self._rewrite_re = _rewrite_pattern(sorted(self.rewrites.items(), key=lambda pair: -len(pair[0])))
        # "bị mất bao nhiêu": "mất" is "lost" there, not "it costs".
        attributes = "|".join(sorted(ATTRIBUTE_PHRASES, key=len, reverse=True))
        self._attribute_re = re.compile(r"\b(?<!bi )(" + attributes + r")\b")
        # "làm" (do) is filler; "lâm" folds to the same word in "lâm sản", "lâm nghiệp".
        stop = "|".join(sorted(STOP_PHRASES, key=len, reverse=True))
        self._stop_re = re.compile(r"\b(" + stop + r"|lam(?! (?:san|nghiep|hoc|vien)\b))\b")
        # Official names use abbreviations too ("công ty TNHH"): expand them the same way.
        own = {phrase for phrase, _ in _procedure_pairs()} | {
            normalize(short) for entry in (known_abbreviations() if rewrites is None else ()) if not entry.needs_context
            for short in entry.short
        }
        abbreviations = {
            phrase: value for phrase, value in self.rewrites.items() if phrase in own and _is_abbreviation(phrase)
        }
        abbreviation_re = _rewrite_pattern(sorted(abbreviations.items(), key=lambda pair: -len(pair[0])))

        def canonical(text: str) -> str:
            text = normalize(text)
            text = abbreviation_re.sub(lambda match: abbreviations[match.group(1)], text) if abbreviation_re else text
            return join_driving(text)

        # "Thủ tục đăng ký khai sinh" is named "đăng ký khai sinh" by everyone.
        names = [_NAME_PREFIX.sub("", canonical(procedure.name)) for procedure in self.procedures]
        known = [knowledge.get(procedure.code) for procedure in self.procedures]
        alias_lists = [
            [canonical(alias) for alias in list(procedure.aliases) + list(extra.aliases if extra else ())]
            for procedure, extra in zip(self.procedures, known)
        ]
        aliases = [" ; ".join(items) for items in alias_lists]
        fields = [normalize(procedure.field or "") for procedure in self.procedures]
        self._names = names
        self._name_sets: List[Set[str]] = []
        corpus: List[List[str]] = []
        for name, alias, field in zip(names, aliases, fields):
            name_words = name.split()
            alias_tokens = [token for part in alias.split(" ; ") for token in doc_tokens(part)] if alias else []
            # The name counts twice: it is what people ask for; the field only hints.
            tokens = 2 * (name_words + bigrams(name_words)) + alias_tokens + field.split()
            corpus.append(tokens)
            self._name_sets.append(set(name_words) | set(alias.split()))
        self._bm25 = BM25Index(corpus, k1=1.2, b=0.5)
        self._name_bigrams = [set(bigrams(name.split())) for name in names]
        self._name_words = [tuple(sorted(name.split())) for name in names]
        self._name_lengths = [math.log1p(len(name.split())) / 3.0 for name in names]
        self._core_words = [tuple(sorted(_LEVEL_SUFFIX.sub(" ", name).split())) for name in names]
        situations = [[canonical(text) for text in extra.situations] if extra else [] for extra in known]
        self._situations: Optional[BM25Index] = None
        if any(situations):
            self._situations = BM25Index(
                [[token for text in texts for token in doc_tokens(text)] or ["_"] for texts in situations], k1=1.2, b=0.5
            )
        # Second index over what the record says about itself (results, documents, conditions):
        # it knows words people use that names lack ("CT07", "thuê trọ").
        self._body = BM25Index(
            [normalize(self._body_text(procedure)).split() for procedure in self.procedures], k1=1.2, b=0.75
        )
        self._vocab = self._bm25.vocab
        self._words = sorted({word for name_set in self._name_sets for word in name_set} | set(" ".join(fields).split()))
        self._word_set = set(self._words)
        documents = len(self._name_sets) or 1
        frequency = Counter(word for name_set in self._name_sets for word in name_set)
        self._idf = {
            word: math.log((documents - count + 0.5) / (count + 0.5) + 1.0) for word, count in frequency.items()
        }
        self._level_prior, self._popularity = self._priors()
        self._central = np.asarray(
            [float(bool(procedure.levels) and all(level == Level.central for level in procedure.levels)) for procedure in self.procedures]
        )
        self._alias_sets: List[List[Tuple[Set[str], float]]] = []
        for items in alias_lists:
            sets = []
            for alias in items:
                alias_words = set(alias.split()) - BASE_WORDS
                if alias_words:
                    sets.append((alias_words, sum(self._idf.get(word, 0.0) for word in alias_words) or 1.0))
            self._alias_sets.append(sets)
        self._variants = [
            frozenset(normalize(found) for found in _NAME_VARIANT_RE.findall(nfc(procedure.name).lower()))
            for procedure in self.procedures
        ]
        # Names often list several procedures ("Khai lệ phí trước bạ nhà, đất/ Miễn lệ phí …"):
        # how much of a name was asked for is judged per part, and words every base procedure
        # has ("thành lập", "cấp mới", "lần đầu") are not required.
        self._segments: List[List[Tuple[Set[str], float]]] = []
        for procedure in self.procedures:
            parts = []
            for part in _SEGMENT_SPLIT.split(procedure.name):
                part_words = set(_NAME_PREFIX.sub("", canonical(part)).split()) - BASE_WORDS
                if part_words:
                    parts.append((part_words, sum(self._idf.get(word, 0.0) for word in part_words) or 1.0))
            self._segments.append(parts or [(set(), 1.0)])

    @staticmethod
    def _body_text(procedure: Procedure) -> str:
        parts = [result[:150] for result in procedure.results[:4]]
        parts += [document.name[:120] for document in procedure.documents[:8]]
        return " ; ".join(parts)

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue) -> "ProcedureSearch":
        """Engine over every procedure of a loaded catalogue."""
        return cls(list(catalogue))

    def _priors(self) -> Tuple[np.ndarray, np.ndarray]:
        """Per procedure: how likely a citizen of a province means its level, and how used it is (0–1)."""
        weights = [procedure.popularity or 0.0 for procedure in self.procedures]
        top = math.log1p(max(weights)) if weights and max(weights) > 0 else 1.0
        levels = [max((LEVEL_PRIOR.get(level, 0.0) for level in procedure.levels), default=0.5) for procedure in self.procedures]
        popularity = [math.log1p(weight) / top for weight in weights]
        return np.asarray(levels, dtype=np.float32), np.asarray(popularity, dtype=np.float32)

    def _repair(self, word: str) -> Optional[str]:
        """A catalogue word for a typo ('chieuu' -> 'chieu'), or None."""
        if word in self._word_set:
            return word
        if word[-1:] in _TELEX_TAIL and word[:-1] in self._word_set:
            return word[:-1]  # Telex tone key left behind: "hoj" -> "ho"
        if len(word) < 5 or word.isdigit():
            return None  # short syllables are real words far too often ("nuoi" is not "nguoi")
        match = process.extractOne(word, self._words, scorer=fuzz.ratio, score_cutoff=85)
        return match[0] if match else None

    def weight(self, word: str) -> float:
        """How specific a word is in the catalogue's names (its IDF; 0 for a word in no name)."""
        return self._idf.get(word, 0.0)

    def analyse(self, text: str) -> Query:
        """Normalize, expand shorthand, drop attribute and question words, repair typos."""
        normalized = _FOLLOW_UP_LEAD.sub("", normalize(text))
        # Attribute words go first: "mất bao lâu" must not become "mất" (lost) before it is read.
        content = self._attribute_re.sub(" ", normalized)
        for short, full, context in self._contextual:
            if context.search(content) and short.search(content):
                content = short.sub(full, content)
        if self._rewrite_re is not None:
            content = self._rewrite_re.sub(lambda match: self.rewrites[match.group(1)], content)
        content = join_driving(content)
        normalized = content
        content = self._stop_re.sub(" ", content)
        words, unknown = [], []
        for word in content.split():
            if word in STOPWORDS:
                continue
            repaired = self._repair(word)
            if repaired:
                words.append(repaired)
            else:
                unknown.append(word)
        return Query(text=normalized, words=tuple(words), unknown=tuple(unknown))

    def request_part(self, text: str) -> str:
        """The sentence of a long message that asks something (the last one with a question cue)."""
        sentences = [part.strip() for part in _SENTENCE_SPLIT.split(text or "") if part.strip()]
        if len(sentences) <= 1:
            return text or ""
        asking = [sentence for sentence in sentences if _QUESTION_CUE.search(normalize(sentence))]
        return (asking or sentences)[-1]

    def search(self, text: str, top: int = 5) -> List[Hit]:
        """Best procedures for a message, best first; empty when nothing in it names a procedure."""
        query = self.analyse(text)
        request = self.request_part(text)
        request_words = self.analyse(request).words if request != text else None
        return self.search_words(query.words, top=top, unknown=query.unknown, request_words=request_words)

    def search_words(
        self,
        words: Sequence[str],
        top: int = 5,
        unknown: Sequence[str] = (),
        request_words: Optional[Sequence[str]] = None,
    ) -> List[Hit]:
        """Rank procedures for already analysed content words; `unknown` words lower the coverage."""
        if top <= 0:
            return []
        found = self.candidates(words, unknown, request_words)
        if found is None:
            return []
        indices, features = found
        scores = self.ranker.score(features)
        scores = self._prefer_exact_names(tuple(sorted(words)), indices, scores)
        # Softmax over the pool: how much of the belief the engine puts on each candidate.
        shifted = np.exp(scores - scores.max())
        confidence = shifted / shifted.sum()
        order = np.argsort(-scores)[:top]
        recall_column, precision_column = FEATURES.index("recall"), FEATURES.index("precision")
        return [
            Hit(
                code=self.procedures[indices[i]].code,
                name=self.procedures[indices[i]].name,
                score=round(float(scores[i]), 4),
                coverage=round(float(features[i, recall_column]), 3),
                precision=round(float(features[i, precision_column]), 3),
                confidence=round(float(confidence[i]), 4),
            )
            for i in order
        ]

    def _prefer_exact_names(self, asked: Tuple[str, ...], indices: List[int], scores: np.ndarray) -> np.ndarray:
        """A message that is exactly a procedure's name (every word as often, nothing else) means it.
        Words are compared with their counts: without accents "lại" and "lái" are one word, and
        "Cấp lại giấy phép lái xe" has it twice where "Cấp giấy phép lái xe" has it once. When the
        name is shared by the same procedure at several levels ("Cấp lại thẻ căn cước" and "… (thực
        hiện tại cấp tỉnh)"), all of them rank equal, so that the citizen is asked which level."""
        full = np.asarray([self._name_words[index] == asked for index in indices])
        core = np.asarray([self._core_words[index] == asked for index in indices])
        scores = scores + EXACT_NAME_BONUS * (full | core)
        if core.sum() >= 2:  # nearly equal, in the ranker's order (the levels citizens use first)
            members = np.flatnonzero(core)
            order = members[np.argsort(-scores[members])]
            top = float(scores[order[0]])
            for rank, member in enumerate(order):
                scores[member] = top - 0.01 * rank
            scores = scores + 0.02 * full  # the one named with its level suffix, when typed so
        return scores

    def candidates(
        self, words: Sequence[str], unknown: Sequence[str] = (), request_words: Optional[Sequence[str]] = None
    ) -> Optional[Tuple[List[int], np.ndarray]]:
        """The pool of procedures worth ranking for the words, with their ranking features (FEATURES)."""
        if not words:
            return None
        tokens = [token for token in list(words) + bigrams(list(words)) if token in self._vocab]
        if not tokens:
            return None
        name_scores = self._bm25.scores(tokens)
        body = self._body.scores(words)
        situation = self._situations.scores(tokens) if self._situations is not None else None
        top_name, top_body = float(name_scores.max()), float(body.max())
        top_situation = float(situation.max()) if situation is not None else 0.0
        if top_name <= 0:
            return None
        first = name_scores / top_name
        if top_body > 0:
            first = first + 0.3 * body / top_body
        if top_situation > 0:
            first = first + 0.3 * situation / top_situation
        pool = min(len(first), POOL)
        indices = [int(index) for index in np.argpartition(-first, pool - 1)[:pool] if first[index] > 0]
        query_set = set(words)
        # A word found nowhere in the catalogue still belongs to the question: "nuôi rồng" is
        # not half a match for a procedure that only shares "nuôi".
        query_weight = sum(self._idf.get(word, 0.0) for word in query_set) + UNKNOWN_WORD_WEIGHT * len(set(unknown)) or 1.0
        request_set = set(request_words) if request_words else query_set
        request_weight = sum(self._idf.get(word, 0.0) for word in request_set) or 1.0
        query_text = " ".join(words)
        query_bigrams = set(bigrams(list(words)))
        query_variants = set(_VARIANT_RE.findall(_NOT_A_VARIANT.sub(" ", query_text)))
        # Everything below runs for each of the POOL candidates: locals and one IDF table.
        weight_of = {word: self._idf.get(word, 0.0) for word in query_set | request_set}
        weight = weight_of.__getitem__

        def mass(shared: Set[str]) -> float:
            return sum(map(weight, shared)) if shared else 0.0

        name_sets, segments, alias_sets, variants_of = self._name_sets, self._segments, self._alias_sets, self._variants
        rows = []
        for index in indices:
            name_set = name_sets[index]
            parts = segments[index]
            precision = max(mass(query_set & part) / part_weight for part, part_weight in parts)
            request_precision = (
                precision if request_set is query_set else max(mass(request_set & part) / part_weight for part, part_weight in parts)
            )
            alias_recall, alias_precision = 0.0, 0.0
            for alias_set, alias_weight in alias_sets[index]:
                shared = query_set & alias_set
                if shared:
                    shared_mass = mass(shared)
                    alias_recall = max(alias_recall, shared_mass / query_weight)
                    alias_precision = max(alias_precision, shared_mass / alias_weight)
            variants = variants_of[index]
            rows.append((
                float(name_scores[index]) / top_name,
                float(body[index]) / top_body if top_body > 0 else 0.0,
                float(situation[index]) / top_situation if top_situation > 0 else 0.0,
                mass(query_set & name_set) / query_weight,
                precision,
                mass(request_set & name_set) / request_weight,
                request_precision,
                alias_recall,
                alias_precision,
                fuzz.token_set_ratio(query_text, self._names[index]) / 100.0,
                float(self._level_prior[index]),
                float(self._central[index]),
                float(self._popularity[index]),
                float(min(2, len(variants - query_variants))),
                float(min(2, len(variants & query_variants))),
                len(query_bigrams & self._name_bigrams[index]) / (len(query_bigrams) or 1),
                self._name_lengths[index],
            ))
        return indices, np.asarray(rows, dtype=np.float64)

