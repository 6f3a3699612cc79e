"""Putting citizens in touch with the province's public administration service centre."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.settings import ServiceCentre, service_centre


def contact_message(centre: ServiceCentre, moment: Optional[dt.datetime] = None) -> str:
    """Hotline, office hours and whether someone can answer right now."""
    lines = [f"Bạn có thể liên hệ {centre.name}:"]
    if centre.hotline:
        lines.append(f"• Đường dây nóng: {centre.hotline}")
    if centre.national_hotline:
        lines.append(f"• Tổng đài Cổng Dịch vụ công quốc gia: {centre.national_hotline}")
    if centre.address:
        lines.append(f"• Địa chỉ: {centre.address}")
    hours = centre.office_hours_text()
    if hours:
        lines.append(f"• Giờ làm việc: {hours}")
    if centre.portal_url:
        lines.append(f"• Cổng dịch vụ công: {centre.portal_url}")
    if hours and centre.is_open(moment):
        lines.append("Hiện đang trong giờ làm việc, cán bộ có thể nghe máy ngay.")
    elif hours:
        lines.append("Hiện đang ngoài giờ làm việc; bạn vui lòng gọi lại trong giờ hành chính.")
    return "\n".join(lines)


class ActionRequestHuman(Action):
    """Answers "cho gặp cán bộ" with contacts from settings/service_centre.yml."""

    def name(self) -> Text:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=contact_message(service_centre()))
        return []
