"""Rasa action that answers procedure questions from the catalogue.

It finds the procedure a message names (or keeps the one the conversation is about), asks
which one when several fit about equally, lets people browse a field, and says so when
nothing fits. The catalogue and its search engine are built once, when the action server
starts, not per message.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.onestop.next_step import CONTEXT_SLOT, asks_what_now, next_step_response
from actions.procedures.answers import (
    ATTRIBUTE_INTENTS,
    OVERVIEW_INTENT,
    answer,
    answer_parts,
    choose,
    procedure_payload,
    shorten,
)
from actions.procedures.attributes import attribute_intents
from actions.procedures.conversation import PROCEDURE_SLOT, ProcedureState, resolve
from actions.procedures.knowledge import outside_topic
from actions.procedures.schema import Procedure
from actions.procedures.search import normalize
from actions.procedures.service import ANSWER_CONFIDENCE, ProcedureService, decide, procedure_service
from actions.settings import service_centre

logger = logging.getLogger(__name__)

BROWSE_LIMIT = 8
# Share of a procedure's name a message must ask for to name it over an outside-topic cue.
CLEAR_NAME_SHARE = 0.5
BROWSE_NAME_CHARS = 90  # a phone screen shows a list of short lines
_BROWSE = re.compile(r"\b(nhung|cac|danh sach|liet ke|co may)\s+(thu tuc|dich vu cong|loai thu tuc)\b")
_BROWSE_NOISE = re.compile(
    r"\b(co|nhung|cac|danh sach|liet ke|co may|thu tuc|dich vu cong|loai|nao|gi|ve|linh vuc|thuoc|trong|cho|minh|"
    r"toi|em|xin|hoi|biet|muon|duoc|khong|ko|a|voi|nhe|la|cua|tinh|lang son)\b"
)


def _unavailable(dispatcher: CollectingDispatcher) -> None:
    centre = service_centre()
    dispatcher.utter_message(
        text=(
            "Xin lỗi bạn, danh mục thủ tục đang tạm thời không sử dụng được. "
            f"Bạn vui lòng tra cứu tại {centre.portal_url} hoặc gọi {centre.hotline_text()}."
        )
    )


def _intent(tracker: Tracker) -> str:
    name = (tracker.latest_message.get("intent") or {}).get("name") or OVERVIEW_INTENT
    return name if name in ATTRIBUTE_INTENTS or name == OVERVIEW_INTENT else OVERVIEW_INTENT


def previous_user_text(tracker: Tracker) -> str:
    """The citizen's message before the latest one (the question an answer refines), or ""."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if not seen_latest:
            seen_latest = True
            continue
        return str(event.get("text") or "")[:1000]
    return ""


def _names_a_procedure(service: ProcedureService, text: str) -> bool:
    """Whether the catalogue clearly names one procedure in the message (a court's own procedures,
    "nộp đơn khởi kiện trực tuyến", are procedures even though a divorce is not)."""
    hits = decide(service.engine.search(text, top=5))
    return len(hits) == 1 and hits[0].confidence >= ANSWER_CONFIDENCE and hits[0].precision >= CLEAR_NAME_SHARE


def _slot_events(state: ProcedureState) -> List[Dict[Text, Any]]:
    return [SlotSet(name, value) for name, value in state.slots().items()]


def _entity_code(tracker: Tracker) -> Optional[str]:
    return next(iter(tracker.get_latest_entity_values(PROCEDURE_SLOT)), None)


class ActionAnswerProcedure(Action):
    """Answer a procedure question (overview or one attribute) from the catalogue."""

    def name(self) -> Text:
        return "action_answer_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return self.respond(dispatcher, tracker, _intent(tracker))

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, intent: str) -> List[Dict[Text, Any]]:
        """Answer `intent` (overview or attributes) about the procedure the message means in this conversation."""
        service = procedure_service()
        if service is None:
            _unavailable(dispatcher)
            return []
        text = tracker.latest_message.get("text") or ""
        state = ProcedureState.from_slots(tracker.get_slot)
        asked = attribute_intents(text)
        intents = asked if len(asked) > 1 else [intent if intent != OVERVIEW_INTENT or not asked else asked[0]]

        chosen = service.catalogue.get(_entity_code(tracker) or "")
        if chosen:  # a button the citizen pressed, or a code they typed
            return self._answer(dispatcher, chosen, intents, state, text)
        if _BROWSE.search(normalize(text)):
            return self._browse(dispatcher, service, text)
        outside = outside_topic(normalize(text))
        if outside is not None and not _names_a_procedure(service, text):
            dispatcher.utter_message(response="utter_outside_procedures", pointer=outside.text)
            return []

        resolution = resolve(service.engine, service.catalogue, text, state, previous_user_text(tracker))
        context = tracker.get_slot(CONTEXT_SLOT)
        # Right after a status, "bao giờ thì lấy được bằng" is about that dossier unless the message
        # names another procedure at length.
        if context and asks_what_now(text) and (resolution.kind != "new" or len(set(service.engine.analyse(text).words)) < 3):
            step = next_step_response(context)
            if step is not None:
                dispatcher.utter_message(**step)
                return []
        if resolution.procedure is not None:
            if resolution.kind == "picked" and not asked and intent == OVERVIEW_INTENT and state.attribute:
                intents = [state.attribute]  # "cái thứ hai" answers the question asked with the choices
            events = self._answer(dispatcher, resolution.procedure, intents, state, text)
            if context and resolution.kind != "follow_up":
                events.append(SlotSet(CONTEXT_SLOT, None))
            return events
        if resolution.choices:
            procedures = list(resolution.choices)
            reply = choose(procedures, intents[0])
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
            offered = state.offered([procedure.code for procedure in procedures[: len(reply.buttons)]], intents[0])
            return _slot_events(offered)
        return self._not_found(dispatcher, service, text)

    @staticmethod
    def _answer(
        dispatcher: CollectingDispatcher,
        procedure: Procedure,
        intents: List[str],
        state: Optional[ProcedureState] = None,
        hint: str = "",
    ) -> List[Dict[Text, Any]]:
        reply = answer_parts(procedure, intents, hint) if len(intents) > 1 else answer(procedure, intents[0], hint)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        return _slot_events((state or ProcedureState()).answered(procedure.code, intents[0]))

    @staticmethod
    def _browse(dispatcher: CollectingDispatcher, service: ProcedureService, text: str) -> List[Dict[Text, Any]]:
        topic = _BROWSE_NOISE.sub(" ", normalize(text)).strip()
        fields = service.closest_fields(topic, limit=1) if topic else []
        portal = service_centre().portal_url
        if not fields:
            suggestions = ", ".join(service.fields[:8])
            dispatcher.utter_message(
                text=(
                    "Bạn muốn xem thủ tục thuộc lĩnh vực nào? Một số lĩnh vực có nhiều thủ tục: "
                    f"{suggestions}. Danh sách đầy đủ có tại {portal}."
                )
            )
            return []
        field = fields[0]
        members = [procedure for procedure in service.catalogue if procedure.field == field]
        members.sort(key=lambda procedure: (-(procedure.popularity or 0.0), procedure.name))
        lines = [f"Lĩnh vực {field} có {len(members)} thủ tục. Những thủ tục được hỏi nhiều:"]
        lines += [f"• {shorten(procedure.name, BROWSE_NAME_CHARS)}" for procedure in members[:BROWSE_LIMIT]]
        if len(members) > BROWSE_LIMIT:
            lines.append(f"… và {len(members) - BROWSE_LIMIT} thủ tục khác, xem tại {portal}.")
        lines.append("Bạn chọn một thủ tục để xem chi tiết nhé.")
        buttons = [
            {"title": shorten(procedure.name, 80), "payload": procedure_payload(OVERVIEW_INTENT, procedure.code)}
            for procedure in members[:5]
        ]
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return []

    @staticmethod
    def _not_found(dispatcher: CollectingDispatcher, service: ProcedureService, text: str) -> List[Dict[Text, Any]]:
        fields = service.closest_fields(text) or service.fields[:3]
        portal = service_centre().portal_url
        message = (
            "Mình chưa tìm thấy thủ tục nào khớp với câu hỏi của bạn. "
            "Bạn có thể nói rõ tên thủ tục hơn (ví dụ: “đăng ký khai sinh”, “cấp lại căn cước”)"
        )
        if fields:
            message += ", hoặc xem các lĩnh vực gần nhất bên dưới"
        message += f". Bạn cũng có thể tra cứu tại {portal}."
        buttons = [{"title": f"Thủ tục về {field}", "payload": f"có những thủ tục nào về {field}"} for field in fields]
        dispatcher.utter_message(text=message, buttons=buttons)
        return []


def answer_in_thread(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """For a message the classifier could not place: answer it when the conversation's thread does.

    A typed pick among offered choices ("cái thứ hai"), "what now?" after a dossier status, or an
    attribute question about the procedure under discussion. None when the thread does not help.
    """
    service = procedure_service()
    text = tracker.latest_message.get("text") or ""
    if service is None or not text.strip():
        return None
    state = ProcedureState.from_slots(tracker.get_slot)
    if not (state.choices or state.current or tracker.get_slot(CONTEXT_SLOT)):
        return None
    resolution = resolve(service.engine, service.catalogue, text, state, previous_user_text(tracker))
    asked = attribute_intents(text)
    if resolution.kind == "picked":
        return ActionAnswerProcedure().respond(dispatcher, tracker, OVERVIEW_INTENT)
    if resolution.kind == "follow_up" and tracker.get_slot(CONTEXT_SLOT) and asks_what_now(text):
        return ActionAnswerProcedure().respond(dispatcher, tracker, OVERVIEW_INTENT)
    if resolution.kind in ("follow_up", "back", "sibling") and (asked or resolution.kind != "follow_up"):
        return ActionAnswerProcedure().respond(dispatcher, tracker, asked[0] if asked else OVERVIEW_INTENT)
    return None


class ActionInformOutOfContext(Action):
    """A bare answer ("2", "cái thứ hai", "xe máy") outside the dossier form: a pick among offered
    procedures when there are some, else the explanation that the information has no use here."""

    def name(self) -> Text:
        return "action_inform_out_of_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        answered = answer_in_thread(dispatcher, tracker)
        if answered is not None:
            return answered
        dispatcher.utter_message(response="utter_inform_out_of_context")
        return []


def warm_up() -> None:
    """Build the catalogue index now, so the first citizen does not wait for it."""
    procedure_service()

warm_up()
