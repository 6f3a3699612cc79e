"""Tests for bot/channels/socketio.py: allowed origins come from configuration."""
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
