"""Routing targets whose real answers land with their own issues.

They acknowledge what was understood and point to the official portal instead of
inventing anything: no fee, deadline or status is ever made up here.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.procedure_actions import ActionAnswerProcedure
from actions.procedures.attributes import OVERVIEW_INTENT, asks_about_staff_work, attribute_intent
from actions.procedures.service import decide, procedure_service


class ActionInternalProcess(Action):
    """Placeholder for civil servants' questions (staff-mode issue).

    A citizen's question the classifier took for an internal one ("công ty gửi hồ sơ điều chỉnh
    thẻ BHYT cho công nhân thế nào") is answered from the catalogue when it names a procedure and
    does not speak of staff work (who handles, assigns, signs a dossier).
    """

    def name(self) -> Text:
        return "action_internal_process"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        service = procedure_service()
        if service is not None and not asks_about_staff_work(text) and decide(service.engine.search(text, top=5)):
            return ActionAnswerProcedure().respond(dispatcher, tracker, attribute_intent(text) or OVERVIEW_INTENT)
        dispatcher.utter_message(
            text=(
                "Câu hỏi về quy trình xử lý nội bộ chỉ dành cho cán bộ đã đăng nhập. "
                "Chức năng này chưa được bật trên trợ lý."
            )
        )
        return []
