"""The SQL tracker store, minus what it must not keep: phone numbers and verification digits.

The lookup form needs the last 4 phone digits for one validation step. Rasa would store the
message and the slot value as typed; this store writes them with every digit masked, and masks
phone numbers wherever else a citizen types one. Dossier codes are kept (they are not personal).
"""
from __future__ import annotations

import itertools
import re
from typing import Any, Dict, Iterator, List, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.onestop.codes import PHONE_NUMBER_PATTERN, read_dossier_code

VERIFICATION_SLOT = "dossier_phone"
MASK = "*"
_PHONE = re.compile(PHONE_NUMBER_PATTERN)  # any script's digits: masking errs on the safe side
_DIGIT = re.compile(r"\d")


def mask_phone_numbers(text: str) -> str:
    """Replace the digits of anything shaped like a Vietnamese phone number."""
    return _PHONE.sub(lambda m: _DIGIT.sub(MASK, m.group(0)), text)


def mask_digits(text: str) -> str:
    """Every digit masked (an answer to the phone question)."""
    return _DIGIT.sub(MASK, text)


def redact_text(text: Optional[str], answering_phone: bool) -> Optional[str]:
    """What may be stored of a citizen's message; dossier codes stay readable."""
    if not text:
        return text
    if answering_phone:
        return mask_digits(text)
    code = read_dossier_code(text).code
    if code and code in text:
        return code.join(mask_phone_numbers(part) for part in text.split(code))
    return mask_phone_numbers(text)


def _redacted_user_event(event: UserUttered, answering_phone: bool) -> Event:
    data: Dict[str, Any] = event.as_dict()
    text = redact_text(data.get("text"), answering_phone)
    if text == data.get("text"):
        return event
    data["text"] = text
    parse_data = dict(data.get("parse_data") or {})
    parse_data["text"] = text
    if answering_phone:
        parse_data["entities"] = []
    data["parse_data"] = parse_data
    return Event.from_parameters(data)


def redacted_events(events: List[Event]) -> Iterator[Event]:
    """The events as they may be stored."""
    requested: Optional[str] = None
    for event in events:
        if isinstance(event, SlotSet) and event.key == "requested_slot":
            requested = event.value
        if isinstance(event, UserUttered):
            yield _redacted_user_event(event, requested == VERIFICATION_SLOT)
        elif isinstance(event, SlotSet) and event.key == VERIFICATION_SLOT and event.value is not None:
            yield SlotSet(event.key, MASK * 4, timestamp=event.timestamp, metadata=event.metadata)
        elif isinstance(event, SlotSet) and isinstance(event.value, str):
            # Free-text slots (the message that started a lookup) may hold a phone number too.
            value = redact_text(event.value, answering_phone=False)
            yield event if value == event.value else SlotSet(event.key, value, event.timestamp, event.metadata)
        else:
            yield event


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that never writes phone numbers or verification digits."""

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        already_stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        events = list(tracker.events)
        return itertools.islice(redacted_events(events), already_stored, len(events))
