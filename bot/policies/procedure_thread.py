"""A dialogue policy that keeps the procedure thread whatever the classifier made of a message.

Typed answers to offered choices ("cái thứ hai", "bị mất ạ", "lên tỉnh"), short follow-ups
("mấy hôm có giấy", "nhờ người nhà làm hộ được không") and "what now?" after a dossier status are
often classified as small talk, out of scope or a fallback: the classifier sees one message, not
the conversation. This policy reads the conversation's thread (slots only actions set, see
actions/procedures/conversation.py) and, when the thread places the message, predicts
action_answer_procedure with confidence 1 and a priority above the rules. Otherwise it abstains.
Nothing is trained.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from actions.onestop.next_step import CONTEXT_SLOT, asks_what_now
from actions.procedures.attributes import PROCEDURE_INTENTS, attribute_intents
from actions.procedures.conversation import ProcedureState, resolve
from actions.procedures.search import normalize
from actions.procedures.service import procedure_service

logger = logging.getLogger(__name__)

ANSWER_ACTION = "action_answer_procedure"
# Intents whose own handling always wins (a dossier code, a person, hello and goodbye).
NEVER_OVERRIDDEN = frozenset({"request_human", "goodbye", "ask_internal_process"})
# "hồ sơ?" right after a procedure answer asks for its documents, not for a dossier lookup.
_DOSSIER_WORDS = re.compile(r"\d|tra cuu|tinh trang|den dau|ma ho so|xu ly|da nop")
MAX_TEXT = 1000


def previous_user_text(tracker: DialogueStateTracker) -> str:
    """The citizen's message before the latest one, or "" (as the action reads it)."""
    texts = [event.text or "" for event in tracker.events if isinstance(event, UserUttered)]
    return texts[-2][:1000] if len(texts) > 1 else ""


def claims(tracker: DialogueStateTracker) -> bool:
    """Whether the conversation's thread places the latest message (so the procedure action answers it)."""
    message = tracker.latest_message
    intent = (message.intent or {}).get("name") if message else None
    text = (message.text or "") if message else ""
    if not text.strip() or len(text) > MAX_TEXT or intent in PROCEDURE_INTENTS or intent in NEVER_OVERRIDDEN:
        return False
    if text.startswith("/"):  # a payload: its intent and entities say what is meant
        return False
    if intent == "lookup_dossier" and (_DOSSIER_WORDS.search(normalize(text)) or not attribute_intents(text)):
        return False
    state = ProcedureState.from_slots(tracker.get_slot)
    context = tracker.get_slot(CONTEXT_SLOT)
    if not (state.choices or state.current or context):
        return False
    service = procedure_service()
    if service is None:
        return False
    resolution = resolve(service.engine, service.catalogue, text, state, previous_user_text(tracker))
    if resolution.kind in ("picked", "back", "sibling"):
        return True
    if resolution.kind in ("follow_up", "choices") and context and asks_what_now(text):
        return True
    return resolution.kind in ("follow_up", "choices") and bool(attribute_intents(text))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class ProcedureThreadPolicy(Policy):
    """Predicts the procedure answer when the conversation's thread places the message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Above RulePolicy (6): a rule for "bot_challenge" must not answer "bị mất ạ" after choices.
        return {"priority": 7}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if tracker.active_loop_name or ANSWER_ACTION not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        latest = tracker.latest_action_name
        if latest == ANSWER_ACTION:  # an answer is complete in itself: listen
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        elif latest == ACTION_LISTEN_NAME:
            try:
                claimed = claims(tracker)
            except Exception:  # a failing catalogue must never break the conversation: abstain
                logger.exception("procedure thread policy failed")
                claimed = False
            if claimed:
                probabilities[domain.index_for_action(ANSWER_ACTION)] = 1.0
        return self._prediction(probabilities)
