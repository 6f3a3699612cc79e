"""Routing targets whose real answers land with their own issues.

They acknowledge what was understood and point to the official portal instead of
inventing anything: no fee, deadline or status is ever made up here.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher



class ActionInternalProcess(Action):
    """Placeholder for civil servants' questions (staff-mode issue)."""

    def name(self) -> Text:
        return "action_internal_process"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            text=(
                "Câu hỏi về quy trình xử lý nội bộ chỉ dành cho cán bộ đã đăng nhập. "
                "Chức năng này chưa được bật trên trợ lý."
            )
        )
        return []
