"""The loaded catalogue and its search engine, built once per process and catalogue path.

Both the action server (answers) and the Rasa server (routing, bot/nlu/procedure_router.py)
use it, so that they agree on whether a message names a procedure.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional, Sequence

from rapidfuzz import fuzz, process

from actions.procedures.catalogue import Catalogue, CatalogueError, catalogue_path, load
from actions.procedures.search import Hit, ProcedureSearch, normalize

logger = logging.getLogger(__name__)

# The ranker's belief (softmax over its candidates) needed to answer without asking; below it
# the assistant asks between the best CHOICES. Chosen on the two tuning sets together
# (bench/data/eval/set_a.yml and bench/data/procedures_dev.yml, search alone): the lowest value
# at which a wrong procedure is answered for at most 4 % of their questions (0.6: 5.9 %, 0.7:
# 3.9 %); asking with three buttons costs a click, a wrong answer costs a trip to the office.
ANSWER_CONFIDENCE = 0.7
CHOICES = 3
# A candidate is offered only with this share of the belief: a far-fetched one is noise.
MIN_CHOICE_CONFIDENCE = 0.03
# "Not found" only when nothing plausible is left: the best name is barely asked for and explains
# little of the message.
MIN_NAME_SHARE = 0.3
MIN_COVERAGE = 0.2


@dataclass
class ProcedureService:
    """The loaded catalogue and its search engine."""

    catalogue: Catalogue
    engine: ProcedureSearch
    fields: List[str]
    folded_fields: List[str]

    @classmethod
    def build(cls, path: Optional[str] = None) -> "ProcedureService":
        """Load and index the catalogue at `path` (default PROCEDURES_PATH or data/procedures/)."""
        start = time.perf_counter()
        catalogue = load(path or catalogue_path())
        engine = ProcedureSearch.from_catalogue(catalogue)
        fields = catalogue.fields()
        logger.info("procedure catalogue: %d records from %s indexed in %.1f s", len(catalogue), catalogue.source, time.perf_counter() - start)
        return cls(catalogue, engine, fields, [normalize(field) for field in fields])

    def closest_fields(self, text: str, limit: int = 3) -> List[str]:
        """Fields whose names are nearest to the text (for "nothing fits" and browsing)."""
        query = normalize(text)
        if not query or not self.fields:
            return []
        matches = process.extract(query, self.folded_fields, scorer=fuzz.token_set_ratio, limit=limit)
        return [self.fields[index] for _, score, index in matches if score >= 50]


@lru_cache(maxsize=4)
def _service(path: str) -> Optional[ProcedureService]:
    try:
        return ProcedureService.build(path)
    except CatalogueError as error:
        logger.error("procedure catalogue unusable: %s", error)
        return None


def procedure_service() -> Optional[ProcedureService]:
    """The service for the current PROCEDURES_PATH (built on first use, then cached)."""
    return _service(str(catalogue_path()))


def plausible(hits: Sequence[Hit]) -> List[Hit]:
    """The results worth answering or offering, best first (empty: nothing fits)."""
    if not hits or (hits[0].precision < MIN_NAME_SHARE and hits[0].coverage < MIN_COVERAGE):
        return []
    return [hits[0]] + [hit for hit in hits[1:] if hit.confidence >= MIN_CHOICE_CONFIDENCE]


def decide(hits: Sequence[Hit]) -> List[Hit]:
    """One hit to answer, several to choose from, or none (nothing fits)."""
    kept = plausible(hits)
    if not kept or kept[0].confidence >= ANSWER_CONFIDENCE:
        return kept[:1]
    return kept[:CHOICES]
