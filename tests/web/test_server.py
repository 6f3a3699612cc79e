"""The web chat server on a real 127.0.0.1 port, with a real SQLite store."""
import asyncio
import json

import aiohttp
import pytest
from aiohttp import web

from bot.sessions import conversation_for, is_valid_session_id, issue_session_id
from bot.web.server import create_app, load_settings
from bot.web.store import WebStore
from tests.onestop.test_sources import free_port

CONVERSATION = issue_session_id()
STORED = conversation_for(CONVERSATION)  # what Rasa and the tables know the session by


async def serve(store: WebStore):
    runner = web.AppRunner(create_app(store, load_settings()))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


def call(store, method, path, body=None, raw=None, headers=None):
    async def run():
        runner, url = await serve(store)
        try:
            async with aiohttp.ClientSession() as session:
                data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
                async with session.request(method, url + path, data=data, headers=headers or {"Content-Type": "application/json"}) as response:
                    text = await response.text()
                    return response.status, response.headers, text
        finally:
            await runner.cleanup()

    return asyncio.run(run())


@pytest.fixture
def store(tmp_path):
    return WebStore(f"sqlite:///{tmp_path / 'assistant.db'}")


def test_page_widget_and_socket_client_are_served_with_a_strict_policy(store):
    status, headers, page = call(store, "GET", "/")
    assert status == 200 and '<script src="/widget.js"' in page and 'lang="vi"' in page
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    for path in ("/widget.js", "/widget.css", "/vendor/socket.io.min.js"):
        assert call(store, "GET", path)[0] == 200, path


def test_config_has_office_hours_hotline_and_quick_replies(store):
    status, _, body = call(store, "GET", "/api/config")
    data = json.loads(body)
    assert status == 200
    assert data["national_hotline"] == "1800 1096"
    assert data["office_hours"].startswith("Thứ Hai")
    assert isinstance(data["open_now"], bool)
    assert {"title": "Tra cứu hồ sơ", "payload": "/lookup_dossier"} in data["quick_replies"]
    assert data["max_message_chars"] == 500


def test_thumbs_and_rating_are_stored_with_the_conversation(store):
    status, _, body = call(store, "POST", "/api/feedback",
                           {"conversation_id": CONVERSATION, "kind": "thumb", "value": -1, "answer_text": "Lệ phí: …"})
    assert status == 201 and "Cảm ơn" in json.loads(body)["message"]
    call(store, "POST", "/api/feedback", {"conversation_id": CONVERSATION, "kind": "rating", "value": 5, "comment": "tốt"})
    stored = store.feedback_for(STORED)
    assert [(row["kind"], row["value"]) for row in stored] == [("thumb", -1), ("rating", 5)]
    assert stored[0]["answer_text"] == "Lệ phí: …" and stored[1]["comment"] == "tốt"


def test_call_back_requests_are_stored_for_staff(store):
    status, _, body = call(store, "POST", "/api/callback",
                           {"conversation_id": CONVERSATION, "phone": "0912 345 678", "question": "Hỏi về sổ đỏ"})
    assert status == 201 and "gọi lại" in json.loads(body)["message"]
    [request] = store.callbacks_waiting()
    assert request["phone"] == "0912345678" and request["question"] == "Hỏi về sổ đỏ"


@pytest.mark.parametrize(
    "path, body, raw, message",
    [
        ("/api/feedback", None, b"{not json", "JSON"),
        ("/api/feedback", None, b"\xff\xfe\x00", "JSON"),
        ("/api/feedback", [1, 2], None, "JSON"),
        ("/api/feedback", {"conversation_id": "x'; DROP TABLE web_feedback;--", "kind": "thumb", "value": 1}, None, "Phiên trò chuyện"),
        ("/api/feedback", {"kind": "thumb", "value": 1}, None, "mã cuộc trò chuyện"),
        pytest.param("/api/feedback", None, b"[" * 6000 + b"]" * 6000, "JSON", id="deeply-nested"),
        pytest.param("/api/feedback", None, json.dumps({"conversation_id": CONVERSATION, "kind": "rating", "value": 5,
                                                         "comment": "\ud800"}).encode(), "không hợp lệ", id="lone-surrogate"),
        pytest.param("/api/feedback", None, b'{"conversation_id": "a", "value": ' + b"9" * 5000 + b"}", "JSON",
                     id="huge-integer"),
        ("/api/feedback", None, b'{"value": 1e999999}', "mã cuộc trò chuyện"),
        ("/api/feedback", {"conversation_id": CONVERSATION, "kind": "rating", "value": 9}, None, "không hợp lệ"),
        ("/api/feedback", {"conversation_id": CONVERSATION, "kind": "thumb", "value": True}, None, "không hợp lệ"),
        ("/api/feedback", {"conversation_id": CONVERSATION, "kind": "rating", "value": 4, "comment": "x" * 1001}, None, "1000"),
        ("/api/callback", {"conversation_id": CONVERSATION, "phone": "12345", "question": "a"}, None, "Số điện thoại"),
        ("/api/callback", {"conversation_id": CONVERSATION, "phone": "0912345678", "question": "  "}, None, "câu hỏi"),
        ("/api/callback", None, b"x" * 20_000, "quá dài"),
        ("/api/message", {"conversation_id": CONVERSATION, "message": "x" * 501}, None, "500"),
    ],
)
def test_bad_requests_get_a_vietnamese_message_and_store_nothing(store, path, body, raw, message):
    status, _, text = call(store, "POST", path, body=body, raw=raw)
    assert 400 <= status < 500
    assert message in json.loads(text)["error"]
    assert store.feedback_for(STORED) == [] and store.callbacks_waiting() == []


def test_rest_fallback_says_so_politely_when_rasa_is_down(store, monkeypatch):
    monkeypatch.setenv("WEB_RASA_URL", f"http://127.0.0.1:{free_port()}")
    status, _, text = call(store, "POST", "/api/message", {"conversation_id": CONVERSATION, "message": "xin chào"})
    assert status == 503 and "thử lại" in json.loads(text)["error"]


def test_unknown_page_is_a_json_404(store):
    status, _, text = call(store, "GET", "/admin")
    assert status == 404 and json.loads(text)["error"]


def test_only_configured_portal_origins_may_call_the_api(store, monkeypatch):
    monkeypatch.setenv("WEB_ALLOWED_ORIGINS", "https://dichvucong.langson.gov.vn")
    _, headers, _ = call(store, "GET", "/api/config", headers={"Origin": "https://dichvucong.langson.gov.vn"})
    assert headers["Access-Control-Allow-Origin"] == "https://dichvucong.langson.gov.vn"
    status, headers, _ = call(store, "OPTIONS", "/api/feedback", headers={"Origin": "https://dichvucong.langson.gov.vn"})
    assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
    _, headers, _ = call(store, "GET", "/api/config", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in headers


def test_config_issues_a_session_id_that_the_server_accepts(store):
    first = json.loads(call(store, "GET", "/api/config")[2])["session_id"]
    second = json.loads(call(store, "GET", "/api/config")[2])["session_id"]
    assert first != second and is_valid_session_id(first) and is_valid_session_id(second)
    forged = first[:-1] + ("0" if first[-1] != "0" else "1")
    status, _, text = call(store, "POST", "/api/feedback", {"conversation_id": forged, "kind": "thumb", "value": 1})
    assert status == 403 and "Phiên trò chuyện" in json.loads(text)["error"]
    assert store.feedback_for(forged) == []


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_a_write_from_a_foreign_or_null_origin_is_refused(store, origin):
    body = {"conversation_id": CONVERSATION, "phone": "0912345678", "question": "gọi lại"}
    status, _, text = call(store, "POST", "/api/callback", body,
                           headers={"Content-Type": "application/json", "Origin": origin})
    assert status == 403 and "không được phép" in json.loads(text)["error"]
    assert store.callbacks_waiting() == []


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_write_without_a_json_content_type_is_refused(store, content_type):
    body = {"conversation_id": CONVERSATION, "kind": "thumb", "value": 1}
    status, _, text = call(store, "POST", "/api/feedback", body, headers={"Content-Type": content_type})
    assert status == 415 and "JSON" in json.loads(text)["error"]
    assert store.feedback_for(STORED) == []


def test_call_backs_are_limited_per_conversation_and_per_client(store):
    def ask(conversation):
        return call(store, "POST", "/api/callback",
                    {"conversation_id": conversation, "phone": "0912345678", "question": "gọi lại giúp"})

    assert [ask(CONVERSATION)[0] for _ in range(3)] == [201, 201, 429]
    assert "đã ghi nhận" in json.loads(ask(CONVERSATION)[2])["error"]
    others = [ask(issue_session_id())[0] for _ in range(4)]
    assert others == [201, 201, 201, 429]  # 5 per client a day, whatever the conversation
    assert len(store.callbacks_waiting()) == 5


def test_feedback_is_limited_and_the_limit_is_shared_by_replicas(store, tmp_path):
    replica = WebStore(store.url)
    accepted = [store.take("feedback:conversation:x", 60, 3600) if i % 2 else replica.take("feedback:conversation:x", 60, 3600)
                for i in range(70)]
    assert sum(accepted) == 60


def test_history_is_kept_in_the_tab_for_30_idle_minutes_unless_the_portal_opts_in(store, tmp_path):
    data = json.loads(call(store, "GET", "/api/config")[2])
    assert data["history"] == {"storage": "session", "idle_minutes": 30}
    settings = tmp_path / "web.yml"
    settings.write_text("history:\n  storage: local\n  idle_minutes: 10\n", "utf-8")
    assert load_settings(settings)["history"] == {"storage": "local", "idle_minutes": 10}
    for wrong in ("history:\n  storage: cookie\n", "history:\n  idle_minutes: -5\n", "history:\n  idle_minutes: 100000\n"):
        settings.write_text(wrong, "utf-8")
        with pytest.raises(ValueError):
            load_settings(settings)


def test_feedback_on_a_dossier_answer_keeps_neither_its_code_nor_phone_numbers(store):
    answer = "Hồ sơ 000.00.20.H37-260113-9004\nTrạng thái: Đang xử lý\nLiên hệ 0912 345 678"
    status, _, _ = call(store, "POST", "/api/feedback",
                        {"conversation_id": CONVERSATION, "kind": "thumb", "value": 1, "answer_text": answer})
    assert status == 201
    kept = store.feedback_for(STORED)[0]["answer_text"]
    assert "9004" not in kept and "0912" not in kept and "Đang xử lý" in kept
