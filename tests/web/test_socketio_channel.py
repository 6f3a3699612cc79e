"""Tests for bot/channels/socketio.py: allowed origins come from configuration; replies grouped as REST does."""
import asyncio

from bot.channels.socketio import allowed_origins


def test_default_is_the_demo_page_on_loopback(monkeypatch):
    monkeypatch.delenv("WEB_ALLOWED_ORIGINS", raising=False)
    monkeypatch.setenv("WEB_PORT", "8080")
    assert allowed_origins() == ["http://127.0.0.1:8080", "http://localhost:8080"]


def test_configured_origins_and_explicit_star(monkeypatch):
    monkeypatch.setenv("WEB_ALLOWED_ORIGINS", "https://dichvucong.langson.gov.vn/, https://langson.gov.vn")
    assert allowed_origins() == ["https://dichvucong.langson.gov.vn", "https://langson.gov.vn"]
    monkeypatch.setenv("WEB_ALLOWED_ORIGINS", "*")
    assert allowed_origins() == "*"


class RecordingServer:
    """Stands in for python-socketio's AsyncServer: records what would be emitted, and to whom."""

    def __init__(self):
        self.emitted = []

    async def emit(self, event, data=None, room=None, **kwargs):
        self.emitted.append((event, data, room, kwargs))


def test_replies_are_sent_as_rest_groups_them_one_message_per_utterance():
    from bot.channels.socketio import PortalSocketIOOutput

    sio = RecordingServer()
    output = PortalSocketIOOutput(sio, "bot_uttered")
    text = "Thủ tục: Đăng ký khai sinh\n\nLệ phí: miễn lệ phí\n\nNguồn: Cơ sở dữ liệu TTHC"
    asyncio.run(output.send_text_message("web-abc", text))
    asyncio.run(output.send_text_with_buttons("web-abc", text, [{"title": "Thời gian", "payload": "/ask_time"}]))
    assert [(event, data, room) for event, data, room, _ in sio.emitted] == [
        ("bot_uttered", {"text": text}, "web-abc"),
        ("bot_uttered", {"text": text, "quick_replies": [{"content_type": "text", "title": "Thời gian", "payload": "/ask_time"}]}, "web-abc"),
    ]


def test_custom_json_cannot_choose_its_room():
    from bot.channels.socketio import PortalSocketIOOutput

    sio = RecordingServer()
    asyncio.run(PortalSocketIOOutput(sio, "bot_uttered").send_custom_json("web-abc", {"room": "web-victim", "text": "x"}))
    assert [(data, room) for _, data, room, _ in sio.emitted] == [({"custom": {"room": "web-victim", "text": "x"}}, "web-abc")]
