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

from actions.procedures.answers import ATTRIBUTE_INTENTS, OVERVIEW_INTENT, answer, choose, procedure_payload, shorten
from actions.procedures.schema import Procedure
from actions.procedures.search import normalize
from actions.procedures.service import ProcedureService, decide, procedure_service
from actions.settings import service_centre

logger = logging.getLogger(__name__)

PROCEDURE_SLOT = "procedure_code"
# A message with fewer distinct content words than this, in a conversation that is already
# about a procedure, is a follow-up ("còn lệ phí thì sao?"), not a new search.
MIN_NEW_TOPIC_WORDS = 2
BROWSE_LIMIT = 8
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
        """Answer `intent` (overview or one attribute) about the procedure the latest message names."""
        service = procedure_service()
        if service is None:
            _unavailable(dispatcher)
            return []
        text = tracker.latest_message.get("text") or ""
        current = service.catalogue.get(tracker.get_slot(PROCEDURE_SLOT) or "")

        chosen = service.catalogue.get(_entity_code(tracker) or "")
        if chosen:  # a button the citizen pressed, or a code they typed
            return self._answer(dispatcher, chosen, intent)
        if _BROWSE.search(normalize(text)):
            return self._browse(dispatcher, service, text)

        query = service.engine.analyse(text)
        follow_up = current is not None and len(set(query.words)) < MIN_NEW_TOPIC_WORDS
        hits = [] if follow_up else decide(service.engine.search(text, top=5))
        if follow_up or (current is not None and not hits):
            return self._answer(dispatcher, current, intent)
        if not hits:
            return self._not_found(dispatcher, service, text)
        close = hits
        if len(close) > 1:
            procedures = [service.catalogue.get(hit.code) for hit in close]
            reply = choose([procedure for procedure in procedures if procedure], intent)
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
            return []
        return self._answer(dispatcher, service.catalogue.get(hits[0].code), intent)

    @staticmethod
    def _answer(dispatcher: CollectingDispatcher, procedure: Procedure, intent: str) -> List[Dict[Text, Any]]:
        reply = answer(procedure, intent)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        return [SlotSet(PROCEDURE_SLOT, procedure.code)]

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


def warm_up() -> None:
    """Build the catalogue index now, so the first citizen does not wait for it."""
    procedure_service()

warm_up()
