"""Tests for bot/nlu/dossier_code_router.py."""
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.dossier_code_router import route


def message(text: str, intent: str = "nlu_fallback", confidence: float = 0.4) -> Message:
    msg = Message(data={"text": text})
    msg.set("intent", {"name": intent, "confidence": confidence})
    msg.set("intent_ranking", [{"name": intent, "confidence": confidence}, {"name": "lookup_dossier", "confidence": 0.3}])
    return msg


def test_a_code_typed_without_dashes_routes_to_the_lookup_with_the_normalised_entity():
    text = "cho hỏi hồ sơ 000.00.20.h37 251114 0123 đến đâu rồi"
    msg = message(text)
    route(msg)
    assert msg.get("intent") == {"name": "lookup_dossier", "confidence": 1.0}
    assert [r["name"] for r in msg.get("intent_ranking")] == ["lookup_dossier", "nlu_fallback"]
    [entity] = msg.get("entities")
    assert entity["value"] == "000.00.20.H37-251114-0123"
    assert text[entity["start"] : entity["end"]] == "000.00.20.h37 251114 0123"


def test_messages_without_a_code_are_left_alone():
    for text in ["lệ phí làm hộ chiếu bao nhiêu", "5678", "000.00.20.H37-251114-123", ""]:
        msg = message(text, "ask_fee", 0.9)
        route(msg)
        assert msg.get("intent") == {"name": "ask_fee", "confidence": 0.9}
        assert not msg.get("entities")
