"""Tests for bot/terminal_chat.py (the live chat is exercised in tests/test_server.py)."""
from bot.terminal_chat import render


def test_render_numbers_buttons():
    text = render({"text": "Chọn một mục", "buttons": [
        {"title": "Tra cứu hồ sơ", "payload": "/lookup_dossier"},
        {"title": "Gặp cán bộ", "payload": "/request_human"},
    ]})
    assert text.splitlines() == ["Chọn một mục", "  [1] Tra cứu hồ sơ", "  [2] Gặp cán bộ"]


def test_render_without_text():
    assert render({"image": "https://example.org/a.png"}) == "  (ảnh) https://example.org/a.png"
