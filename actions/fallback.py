"""Two-stage fallback: ask with the likeliest procedures or topics, then hand over to a person."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.procedures.answers import procedure_payload, shorten
from actions.procedures.attributes import OVERVIEW_INTENT, PROCEDURE_INTENTS, attribute_intent
from actions.procedures.service import decide, procedure_service
from actions.settings import intent_labels, service_centre

# Intents that make no sense as a "did you mean" choice.
NOT_OFFERED = {"nlu_fallback", "out_of_scope", "affirm", "deny", "inform"}  # inform: answers to a form, not a topic
DENY_PAYLOAD = "/out_of_scope"  # what Rasa's two-stage fallback treats as "no"
OFFERED_PROCEDURES = 2
BUTTON_CHARS = 80


def likeliest_intents(latest_message: Dict[str, Any], count: int = 2) -> List[str]:
    """The `count` most likely intents worth offering, best first."""
    ranking = latest_message.get("intent_ranking") or []
    names = [item.get("name") for item in ranking if item.get("name") not in NOT_OFFERED]
    return [name for name in names if name][:count]


def likeliest_procedures(text: str) -> List[Dict[str, str]]:
    """Buttons for the procedures the catalogue's search finds plausible in the message, best first.

    A question the classifier could not place often still names a procedure ("tang von dieu le");
    the person at the desk would ask "do you mean …?" with its name, not with a topic.
    """
    service = procedure_service()
    if service is None or not (text or "").strip():
        return []
    intent = attribute_intent(text) or OVERVIEW_INTENT
    buttons = []
    for hit in decide(service.engine.search(text, top=5))[:OFFERED_PROCEDURES]:
        procedure = service.catalogue.get(hit.code)
        if procedure is not None:
            buttons.append({"title": shorten(procedure.name, BUTTON_CHARS), "payload": procedure_payload(intent, procedure.code)})
    return buttons


def intent_payload(intent: str, entities: List[Dict[str, Any]]) -> str:
    """A button payload that replays the intent with the entities already recognised."""
    values = {e["entity"]: e["value"] for e in entities if e.get("entity") and "value" in e}
    return f"/{intent}{json.dumps(values, ensure_ascii=False)}" if values else f"/{intent}"


def handover_text() -> str:
    """How to reach a person, from the province's settings."""
    centre = service_centre()
    contact = centre.hotline_text()
    hours = centre.office_hours_text()
    text = "Xin lỗi, mình chưa hiểu được yêu cầu của bạn."
    if contact:
        text += f" Bạn vui lòng gọi {contact}"
        text += f" (giờ làm việc {hours})." if hours else "."
    if centre.portal_url:
        text += f" Bạn cũng có thể xem thông tin tại {centre.portal_url}."
    return text


class ActionDefaultAskAffirmation(Action):
    """Asks which of the two likeliest topics the person meant."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from actions.procedure_actions import answer_in_thread

        answered = answer_in_thread(dispatcher, tracker)
        if answered is not None:  # the conversation's thread placed the message: no "did you mean"
            return answered + [ActiveLoop(None)]
        labels = intent_labels()
        entities = tracker.latest_message.get("entities") or []
        procedures = likeliest_procedures(tracker.latest_message.get("text") or "")
        intents = likeliest_intents(tracker.latest_message)
        if procedures:  # the procedure buttons already carry the attribute asked; one other topic at most
            intents = [intent for intent in intents if intent not in PROCEDURE_INTENTS][:1]
        buttons = procedures + [
            {"title": labels.get(intent, intent), "payload": intent_payload(intent, entities)} for intent in intents
        ]
        buttons.append({"title": "Không phải các ý trên", "payload": DENY_PAYLOAD})
        question = "thủ tục hoặc nội dung sau" if procedures else "nội dung sau"
        dispatcher.utter_message(
            text=f"Mình chưa chắc đã hiểu đúng. Có phải bạn muốn hỏi về một trong các {question}?",
            buttons=buttons,
        )
        return []


class ActionDefaultFallback(Action):
    """Gives up politely and points to the hotline and office hours."""

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            text=handover_text(),
            buttons=[{"title": "Gặp cán bộ", "payload": "/request_human"}],
        )
        return [UserUtteranceReverted()]
