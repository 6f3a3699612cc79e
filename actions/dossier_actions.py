"""Dossier status for its owner: the lookup form, its validation and the answer.

Before the code and the last 4 phone digits match, nothing about the dossier is revealed: an
unknown code and a wrong phone get the same message, and both count as a failed try
(actions/onestop/guard.py). The digits are cleared from the slot as soon as they are checked.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
from typing import Any, Dict, List, Optional, Text, Tuple
from zoneinfo import ZoneInfo

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.onestop.codes import CODE_EXAMPLE, read_dossier_code, read_phone_last_digits
from actions.onestop.guard import AttemptGuard
from actions.onestop.model import Dossier
from actions.onestop.next_step import CONTEXT_SLOT, context_of
from actions.onestop.replies import DEFAULT_SYSTEM_NAME, status_reply
from actions.onestop.sources import FOUND, NOT_FOUND, DossierSource, source_from_env
from actions.settings import service_centre

logger = logging.getLogger(__name__)

VERIFIED, BLOCKED, UNAVAILABLE = "verified", "blocked", "unavailable"
ANOTHER_DOSSIER_BUTTON = {"title": "Tra cứu hồ sơ khác", "payload": "/lookup_dossier"}

_source: Optional[DossierSource] = None
_guard: Optional[AttemptGuard] = None


def dossier_source() -> DossierSource:
    """The configured one-stop source (HTTP API when ONESTOP_API_URL is set, else the database)."""
    global _source
    if _source is None:
        _source = source_from_env()
    return _source


def attempt_guard() -> AttemptGuard:
    """The shared failed-try counter."""
    global _guard
    if _guard is None:
        _guard = AttemptGuard()
    return _guard


def format_help() -> str:
    """How a dossier code looks, for a malformed one, and what to do without it."""
    portal = service_centre().portal_url
    without = f" Nếu không còn mã, bạn xem danh sách hồ sơ đã nộp trong tài khoản trên {portal}." if portal else ""
    return (
        "Mã hồ sơ chưa đúng định dạng. Mã in trên giấy biên nhận (hoặc trong tin nhắn, email xác nhận) "
        f"có dạng {CODE_EXAMPLE}: mã cơ quan, ngày nhận (năm-tháng-ngày, 6 số) và số thứ tự 4 số."
        f"{without}"
    )


def mismatch_message(tries_left: int) -> str:
    """The one message for an unknown code and for wrong digits."""
    return (
        "Mã hồ sơ hoặc 4 số cuối điện thoại chưa khớp với thông tin đã đăng ký. Bạn vui lòng kiểm tra lại "
        "giấy biên nhận và số điện thoại đã dùng khi nộp hồ sơ, rồi nhập lại 4 số cuối; nếu mã hồ sơ "
        f"chưa đúng, bạn gửi lại mã (còn {tries_left} lần thử)."
    )


def not_verified_message() -> str:
    """An answer asked for without a verified code and digits in this conversation."""
    return (
        "Mình chưa xác minh được hồ sơ trong cuộc trò chuyện này. Bạn vui lòng nhập mã hồ sơ và "
        "4 chữ số cuối của số điện thoại đã đăng ký để tra cứu."
    )


def blocked_message() -> str:
    """Too many failed tries: stop and point to people."""
    centre = service_centre()
    contact = centre.hotline_text()
    call = f" Bạn vui lòng liên hệ {contact}" if contact else " Bạn vui lòng liên hệ nơi đã nộp hồ sơ"
    portal = f", hoặc tra cứu trên Cổng dịch vụ công {centre.portal_url}" if centre.portal_url else ""
    return (
        "Để bảo vệ thông tin hồ sơ, trợ lý tạm dừng tra cứu vì đã có quá nhiều lần nhập chưa khớp."
        f"{call}{portal} để được hỗ trợ."
    )


def unavailable_message() -> str:
    """The one-stop system is down, slow or answered nonsense."""
    centre = service_centre()
    portal = f" hoặc tra cứu trực tiếp trên Cổng dịch vụ công {centre.portal_url}" if centre.portal_url else ""
    contact = centre.hotline_text()
    call = f" Nếu cần gấp, bạn liên hệ {contact}." if contact else ""
    return (
        "Xin lỗi bạn, hệ thống một cửa điện tử đang tạm thời không phản hồi nên mình chưa tra cứu được hồ sơ. "
        f"Bạn vui lòng thử lại sau ít phút{portal}.{call}"
    )


class ValidateDossierForm(FormValidationAction):
    """Reads the code, then checks the phone digits against the one-stop system."""

    def name(self) -> Text:
        return "validate_dossier_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        """Nothing more to ask once there is an outcome or the conversation used up its tries."""
        if tracker.get_slot("dossier_outcome"):
            return []
        try:
            blocked = await asyncio.to_thread(attempt_guard().conversation_blocked, tracker.sender_id)
        except Exception:  # the guard's database is down: checked again when digits arrive
            logger.exception("attempt guard unavailable")
            blocked = False
        return [] if blocked else domain_slots

    async def validate_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Normalise the code; explain the format when the citizen tried and got it wrong."""
        reading = read_dossier_code(value)
        if reading.code:
            return {"dossier_code": reading.code}
        answering = tracker.get_slot("requested_slot") == "dossier_code"
        if answering or reading.attempted:
            dispatcher.utter_message(text=format_help())
        return {"dossier_code": None}

    async def validate_dossier_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Verify ownership; the digits never outlive this step."""
        code = tracker.get_slot("dossier_code")
        new_code = read_dossier_code(value).code
        if not code and not new_code:  # digits before any code: ask for the code first
            return {"dossier_phone": None}
        if new_code and new_code != code:  # the citizen switched to another dossier
            return {"dossier_code": new_code, "dossier_phone": None}
        digits = read_phone_last_digits(value)
        if not digits:
            dispatcher.utter_message(text="Bạn vui lòng nhập đúng 4 chữ số cuối của số điện thoại đã đăng ký (ví dụ: 5678).")
            return {"dossier_phone": None}
        return await self._verify(code, digits, dispatcher, tracker.sender_id)

    async def _verify(
        self, code: str, digits: str, dispatcher: CollectingDispatcher, conversation: str
    ) -> Dict[Text, Any]:
        guard = attempt_guard()
        try:  # the try is counted before the comparison, so concurrent guesses cannot overshoot
            reservation = await asyncio.to_thread(guard.reserve, conversation, code)
        except Exception:  # fail closed: no rate limit, no lookup
            logger.exception("attempt guard unavailable")
            return {"dossier_phone": None, "dossier_outcome": UNAVAILABLE}
        if reservation is None:
            return {"dossier_code": None, "dossier_phone": None, "dossier_outcome": BLOCKED}
        try:
            result = await dossier_source().lookup(code)
            if result.status not in (FOUND, NOT_FOUND):
                logger.warning("one-stop lookup failed: %s %s", result.status, result.detail)
                await asyncio.to_thread(guard.refund, reservation)
                return {"dossier_phone": None, "dossier_outcome": UNAVAILABLE}
            dossier = result.dossier
            if dossier is not None and hmac.compare_digest(dossier.phone_digits[-4:], digits):
                await asyncio.to_thread(guard.refund, reservation)
                await asyncio.to_thread(guard.grant, conversation, code)
                return {"dossier_phone": None, "dossier_outcome": VERIFIED}
            tries_left = await asyncio.to_thread(guard.tries_left, conversation)
        except Exception:
            logger.exception("attempt guard unavailable")
            return {"dossier_phone": None, "dossier_outcome": UNAVAILABLE}
        if tries_left <= 0:
            return {"dossier_code": None, "dossier_phone": None, "dossier_outcome": BLOCKED}
        dispatcher.utter_message(text=mismatch_message(tries_left))
        # The digits are asked again and the code kept, whichever was wrong: the reply says
        # nothing about the code. A new code typed now replaces it.
        return {"dossier_phone": None}


async def _verified_dossier(conversation: str, code: Optional[str]) -> Tuple[Optional[Dossier], bool]:
    """The dossier when this conversation holds an unused grant for the code (used up here).

    Returns (dossier, granted); a grant whose dossier cannot be read right now is (None, True).
    """
    if not code:
        return None, False
    try:
        granted = await asyncio.to_thread(attempt_guard().redeem, conversation, code)
    except Exception:
        logger.exception("attempt guard unavailable")
        return None, True
    if not granted:
        return None, False
    result = await dossier_source().lookup(code)
    return (result.dossier if result.status == FOUND else None), True


def _thread_events(tracker: Tracker, dossier: Dossier) -> List[EventType]:
    """The dossier's procedure becomes the one under discussion ("lệ phí bao nhiêu?" is about it)."""
    from actions.procedures.conversation import ProcedureState

    if not dossier.MaTTHC:
        return []
    state = ProcedureState.from_slots(tracker.get_slot).answered(dossier.MaTTHC, "ask_procedure")
    return [SlotSet(name, value) for name, value in state.slots().items()]


def clear_lookup_slots() -> List[EventType]:
    """Forget the code, the digits and the outcome (ready for another dossier)."""
    return [SlotSet("dossier_code", None), SlotSet("dossier_phone", None), SlotSet("dossier_outcome", None)]


class ActionLookupDossier(Action):
    """Answers after the form: the status for a verified owner, or why there is none."""

    def name(self) -> Text:
        return "action_lookup_dossier"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        outcome = tracker.get_slot("dossier_outcome")
        code = tracker.get_slot("dossier_code")
        centre = service_centre()
        if outcome == VERIFIED:
            dossier, granted = await _verified_dossier(tracker.sender_id, code)
            if dossier is not None:
                now = dt.datetime.now(ZoneInfo(centre.timezone)).replace(tzinfo=None)
                text = status_reply(
                    dossier,
                    now,
                    hotline_text=centre.hotline_text(),
                    portal_url=centre.portal_url,
                    system_name=centre.onestop_system or DEFAULT_SYSTEM_NAME,
                )
                dispatcher.utter_message(text=text, buttons=[ANOTHER_DOSSIER_BUTTON])
                return clear_lookup_slots() + [SlotSet(CONTEXT_SLOT, context_of(dossier))] + _thread_events(tracker, dossier)
            elif granted:
                dispatcher.utter_message(text=unavailable_message())
            else:  # "verified" said by a slot, a payload or a forged tracker: no grant, nothing shown
                dispatcher.utter_message(text=not_verified_message(), buttons=[ANOTHER_DOSSIER_BUTTON])
        elif outcome == UNAVAILABLE:
            dispatcher.utter_message(text=unavailable_message(), buttons=[ANOTHER_DOSSIER_BUTTON])
        else:
            dispatcher.utter_message(text=blocked_message())
        return clear_lookup_slots()


class ActionStopDossierLookup(Action):
    """Leaves the lookup form; says so when the citizen asked to stop."""

    def name(self) -> Text:
        return "action_stop_dossier_lookup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in ("deny", "goodbye"):
            dispatcher.utter_message(
                text="Dạ, mình đã dừng tra cứu hồ sơ. Khi cần, bạn chọn \"Tra cứu hồ sơ\" hoặc gửi mã hồ sơ cho mình nhé.",
                buttons=[{"title": "Tra cứu hồ sơ", "payload": "/lookup_dossier"}],
            )
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + clear_lookup_slots()
