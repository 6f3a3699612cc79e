"""The SQL tracker store, minus what it must not keep: phone numbers and verification digits.

The lookup form needs the last 4 phone digits for one validation step. Rasa would store the
message and the slot value as typed; this store writes the answer to the phone question with
every digit masked, and everywhere else masks phone numbers (in any grouping, full-width digits
included) and any stand-alone group of 4 digits, whatever the form asked last: digits sent in the
first message, after a mismatch or after a block are masked too. Dossier codes are kept (they
are not personal). Years written as 4 digits are masked as well: privacy wins over that detail.

Limit: only what passes `_additional_events` (the save path) is redacted. An event broker added
to endpoints.yml would receive raw events; redact there too before adding one.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Any, Dict, Iterator, List, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.onestop.codes import PHONE_NUMBER_PATTERN, read_dossier_code

VERIFICATION_SLOT = "dossier_phone"
MASK = "*"
_PHONE = re.compile(PHONE_NUMBER_PATTERN)  # any script's digits: masking errs on the safe side
_DIGIT = re.compile(r"\d")
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")  # what a verification answer looks like


def _mask(match: "re.Match[str]") -> str:
    return _DIGIT.sub(MASK, match.group(0))


def mask_phone_numbers(text: str) -> str:
    """Replace the digits of anything shaped like a Vietnamese phone number or a 4-digit answer."""
    normalised = unicodedata.normalize("NFKC", text)
    masked = _FOUR_DIGITS.sub(_mask, _PHONE.sub(_mask, normalised))
    return text if masked == normalised else masked


def mask_digits(text: str) -> str:
    """Every digit masked (an answer to the phone question)."""
    return _DIGIT.sub(MASK, text)


def redact_text(text: Optional[str], answering_phone: bool) -> Optional[str]:
    """What may be stored of a citizen's message; dossier codes stay readable."""
    if not text:
        return text
    if answering_phone:
        return mask_digits(text)
    normalised = unicodedata.normalize("NFKC", text)
    parts, rest = [], normalised
    while rest:  # dossier codes, however typed, are kept; everything between them is masked
        reading = read_dossier_code(rest)
        if not reading.code:
            break
        parts += [mask_phone_numbers(rest[: reading.start]), rest[reading.start : reading.end]]
        rest = rest[reading.end :]
    masked = "".join(parts) + mask_phone_numbers(rest)
    return text if masked == normalised else masked


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
    parse_data["entities"] = [_redacted_entity(entity) for entity in parse_data.get("entities") or []]
    return Event.from_parameters(data)


def _redacted_entity(entity: Dict[str, Any]) -> Dict[str, Any]:
    value = entity.get("value")
    return {**entity, "value": redact_text(value, answering_phone=False)} if isinstance(value, str) else entity


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
