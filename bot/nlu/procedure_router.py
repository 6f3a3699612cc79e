"""A message that asks about a procedure is answered as one, whatever topic the classifier guessed.

The intent classifier learns from a few hundred examples; on questions unlike them it spreads
its confidence over the procedure intents (each one below the fallback threshold although
together they are sure), or it calls a question about an unfamiliar procedure "out of scope",
"deny" or "lookup_dossier". This component runs after the classifier and before
FallbackClassifier and routes a message to a procedure intent when

1. the procedure intents together hold at least `procedure_share` of the confidence and more
   than any other intent; or
2. the classifier chose an intent that a procedure question is often mistaken for
   (`overridable_intents`) and the catalogue's search finds a procedure whose name the message
   covers well (`min_name_share` of the name, `min_coverage` of the message's words); or
3. the message is a long story (`long_message_words` or more) that the classifier did not place
   with confidence (or placed in an overridable intent), and the search, reading the sentence
   that asks, is sure of one procedure (`long_min_confidence`) whose name it asks for
   (`long_min_name_share`): the story's context words pull the coverage under rule 2's gate.

Small talk, thanks and greetings are never overridden by the search (their words appear in
procedure names: "chào bán", "bãi bỏ"); a dossier lookup keeps its path when the message speaks of
a dossier's progress; a civil servant's question about their own work (who handles, assigns,
signs) stays an internal-process question; a dossier code still wins (DossierCodeRouter runs
after this one).

The attribute asked (fee, documents…) is the classifier's when it chose a procedure intent with at
least `keep_confidence` (or any procedure intent with `attribute_confidence`), else read from the
message's words (actions/procedures/attributes.py), else the overview. Thresholds were
chosen on the NLU training data (no small-talk example may be routed) and the tuning set
(bench/data/eval/set_a.yml); bench/nlu.py and bench/conversation.py measure them on held-out data.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.procedures.attributes import OVERVIEW_INTENT, PROCEDURE_INTENTS, asks_about_staff_work, attribute_intent
from actions.procedures.search import normalize
from actions.procedures.service import procedure_service

logger = logging.getLogger(__name__)

# "Hồ sơ của tôi đến đâu rồi", "tra cứu tiến độ": questions about a dossier, not a procedure.
_DOSSIER_PROGRESS = re.compile(
    r"\b(tra cuu|tinh trang|tien do|den dau|xong chua|da xong|duyet chua|ma ho so|so ho so|bien nhan|giay hen|"
    r"ho so cua (toi|minh|em|tui|chau|con))\b"
)
# Never overridden: their words appear in procedure names ("chào bán", "bãi bỏ").
_SOCIAL_INTENTS = frozenset({"greet", "goodbye", "thank", "bot_challenge"})
ROUTED_BY = "ProcedureRouter"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ProcedureRouter(GraphComponent):
    """Routes procedure questions the classifier missed to a procedure intent (confidence 1)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            "procedure_share": 0.3,
            "min_name_share": 0.6,
            "min_coverage": 0.5,
            "min_content_words": 2,
            "long_message_words": 30,
            "long_min_confidence": 0.7,
            "long_min_name_share": 0.5,
            # FallbackClassifier's threshold: below it the classifier's guess would not be used.
            "fallback_threshold": 0.5,
            "attribute_confidence": 0.95,
            # A procedure intent chosen with this confidence (FallbackClassifier's threshold) is kept.
            "keep_confidence": 0.5,
            "overridable_intents": [
                "out_of_scope",
                "deny",
                "affirm",
                "ask_internal_process",
                "lookup_dossier",
                "request_human",
                "ask_capabilities",
            ],
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = {**self.get_default_config(), **config}
        self.overridable = frozenset(self.config["overridable_intents"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ProcedureRouter":
        """Creates the router (nothing to train) and builds the catalogue index now."""
        router = cls(config)
        procedure_service()  # the first citizen should not wait for the index
        return router

    def process(self, messages: List[Message]) -> List[Message]:
        """Routes each message (in place)."""
        for message in messages:
            self.route(message)
        return messages

    def route(self, message: Message) -> Optional[str]:
        """Set a procedure intent on the message when it asks about a procedure; the intent or None."""
        text = message.get(TEXT) or ""
        ranking = [dict(item) for item in message.get(INTENT_RANKING_KEY) or [] if item.get("name")]
        if not text.strip() or not ranking:
            return None
        top = ranking[0]
        if self._keeps_its_path(normalize(text), top["name"]):
            return None
        procedure_share = sum(item["confidence"] for item in ranking if item["name"] in PROCEDURE_INTENTS)
        routed = top["name"] in PROCEDURE_INTENTS or procedure_share > top["confidence"]
        if not (routed and procedure_share >= self.config["procedure_share"]):
            if not (self._names_a_procedure(text, top) or self._long_story_names_a_procedure(text, top)):
                return None
        if top["name"] in PROCEDURE_INTENTS and top["confidence"] >= self.config["keep_confidence"]:
            intent = top["name"]  # the classifier's confident choice stands (a near tie no longer falls back)
        else:
            intent = self._attribute(text, ranking)
        chosen = {"name": intent, "confidence": 1.0}
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(chosen)] + [item for item in ranking if item["name"] != intent], add_to_output=True)
        return intent

    def _keeps_its_path(self, folded: str, intent: str) -> bool:
        if intent == "lookup_dossier" and _DOSSIER_PROGRESS.search(folded):
            return True
        return intent == "ask_internal_process" and asks_about_staff_work(folded)

    def _names_a_procedure(self, text: str, top: Dict[str, Any]) -> bool:
        if top["name"] not in self.overridable or self._keeps_its_path(normalize(text), top["name"]):
            return False
        service = procedure_service()
        if service is None:
            return False
        query = service.engine.analyse(text)
        if len(set(query.words)) < self.config["min_content_words"]:
            return False
        hits = service.engine.search_words(query.words, top=1, unknown=query.unknown)
        return bool(hits) and hits[0].precision >= self.config["min_name_share"] and hits[0].coverage >= self.config["min_coverage"]

    def _long_story_names_a_procedure(self, text: str, top: Dict[str, Any]) -> bool:
        if len(text.split()) < self.config["long_message_words"] or top["name"] in _SOCIAL_INTENTS:
            return False
        unsure = top["confidence"] < self.config["fallback_threshold"]
        if not (top["name"] in self.overridable or unsure) or self._keeps_its_path(normalize(text), top["name"]):
            return False
        service = procedure_service()
        if service is None:
            return False
        hits = service.engine.search(text, top=1)
        return bool(hits) and hits[0].confidence >= self.config["long_min_confidence"] and hits[0].precision >= self.config["long_min_name_share"]

    def _attribute(self, text: str, ranking: List[Dict[str, Any]]) -> str:
        best = next((item for item in ranking if item["name"] in PROCEDURE_INTENTS), None)
        if best is not None and best["confidence"] >= self.config["attribute_confidence"]:
            return best["name"]
        return attribute_intent(text) or OVERVIEW_INTENT
