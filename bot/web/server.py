"""The web chat's server: the demo portal page, the widget, its settings and feedback API.

`python -m bot.web.server` serves on 127.0.0.1:WEB_PORT (default 8080):
  GET  /                 demo portal page with the widget (web/static/index.html)
  GET  /widget.js, /widget.css, /vendor/socket.io.min.js (from web/node_modules)
  GET  /api/config       banner, office hours, hotline, quick replies, history keeping, where Rasa is, and a new
                         session id (bot/sessions.py) for a browser that has none
  POST /api/feedback     {"conversation_id", "kind": "thumb"|"rating", "value", "answer_text"?, "comment"?}
  POST /api/callback     {"conversation_id", "phone", "question"}
  POST /api/message      {"conversation_id", "message"}: REST fallback, relayed to Rasa's REST channel
Every error is a JSON {"error": "<Vietnamese message>"} with a 4xx/5xx status.

Writes (POST) need a JSON body (415 otherwise), an issued conversation id (403 otherwise) and,
when the browser sends an Origin, one of WEB_ALLOWED_ORIGINS (403 otherwise: no cross-site
writes). Call-backs, feedback and relayed messages are limited per conversation and per client
in the database (limits shared by replicas; bot/web/store.py).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
from pathlib import Path
from typing import Any, Dict, Optional

import aiohttp
import yaml
from aiohttp import web

from actions.onestop.codes import redact_codes_and_phones
from actions.settings import REPO_ROOT, SETTINGS_DIR, service_centre
from bot.channels.bounds import Refused, is_encodable, parse_json_object
from bot.channels.socketio import allowed_origins
from bot.sessions import conversation_for, is_valid_session_id, issue_session_id
from bot.web.store import WebStore

logger = logging.getLogger(__name__)
STATIC = REPO_ROOT / "web" / "static"
SOCKET_IO_CLIENT = REPO_ROOT / "web" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
MAX_BODY = 16 * 1024
# What each client and each conversation may write: (what, per, limit, window in seconds).
LIMITS = {
    "callback": [("conversation", 2, 86400), ("client", 5, 86400)],
    "feedback": [("conversation", 30, 3600), ("client", 100, 3600)],
    "message": [("conversation", 30, 60), ("client", 120, 60)],
}
TOO_MANY = {
    "callback": "Mình đã ghi nhận yêu cầu gọi lại của bạn. Cán bộ sẽ liên hệ trong giờ làm việc; "
    "nếu cần gấp, bạn vui lòng gọi đường dây nóng.",
    "feedback": "Cảm ơn bạn, mình đã nhận đủ góp ý cho lúc này.",
    "message": "Bạn gửi tin nhắn hơi nhanh, vui lòng đợi một chút rồi gửi tiếp nhé.",
}
PHONE = re.compile(r"^(?:\+?84|0)\d{8,10}$")
STORE_KEY = web.AppKey("store", WebStore)
SETTINGS_KEY = web.AppKey("settings", dict)
HTTP_KEY = web.AppKey("http", aiohttp.ClientSession)


class BadRequest(Exception):
    """A request the citizen's browser should not have sent; the message is Vietnamese."""


def load_settings(path: Optional[Path] = None) -> Dict[str, Any]:
    """settings/web.yml with defaults."""
    data = yaml.safe_load((path or SETTINGS_DIR / "web.yml").read_text("utf-8")) or {}
    history = data.get("history") or {}
    storage = str(history.get("storage") or "session")
    if storage not in ("session", "local"):
        raise ValueError(f"web.yml history.storage must be 'session' or 'local', not {storage!r}")
    idle_minutes = float(history.get("idle_minutes") or 30)
    if not 0 < idle_minutes <= 24 * 60:
        raise ValueError("web.yml history.idle_minutes must be between 0 and 1440")
    return {
        "history": {"storage": storage, "idle_minutes": idle_minutes},
        "emergency_banner": str(data.get("emergency_banner") or ""),
        "max_message_chars": int(data.get("max_message_chars") or 500),
        "quick_replies": [
            {"title": str(item["title"]), "payload": str(item["payload"])} for item in data.get("quick_replies") or []
        ],
    }


def rasa_url() -> str:
    """Where browsers reach Rasa (socket.io), and where the REST fallback is relayed."""
    return os.environ.get("WEB_RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class Forbidden(Exception):
    """A write from a page or conversation that may not make it; the message is Vietnamese."""


async def read_json(request: web.Request) -> Dict[str, Any]:
    """The request body as a JSON object, or BadRequest with a Vietnamese message."""
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BadRequest("Nội dung gửi lên quá dài.")
    try:
        return parse_json_object(body)
    except Refused as problem:
        raise BadRequest(str(problem))


def conversation_id_of(data: Dict[str, Any]) -> str:
    """The conversation (Rasa's sender id) of the session the browser holds; 403 for a made-up one."""
    value = data.get("conversation_id")
    if not isinstance(value, str) or not value:
        raise BadRequest("Thiếu mã cuộc trò chuyện.")
    if not is_valid_session_id(value):
        raise Forbidden("Phiên trò chuyện không hợp lệ. Bạn vui lòng tải lại trang để bắt đầu phiên mới.")
    return conversation_for(value)


def client_of(request: web.Request) -> str:
    """The client's address; behind the shipped proxy (WEB_TRUST_PROXY=1), the one it saw."""
    if os.environ.get("WEB_TRUST_PROXY") == "1":
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.remote or "unknown"


async def within_limits(request: web.Request, what: str, conversation: str) -> bool:
    """Count this write against its conversation and client; False when either is used up."""
    store = request.app[STORE_KEY]
    subjects = {"conversation": conversation, "client": client_of(request)}
    for per, limit, seconds in LIMITS[what]:
        if not await asyncio.to_thread(store.take, f"{what}:{per}:{subjects[per]}", limit, seconds):
            return False
    return True


def text_field(data: Dict[str, Any], name: str, limit: int, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or not is_encodable(value):
        raise BadRequest("Dữ liệu gửi lên không hợp lệ.")
    value = value.strip()
    if required and not value:
        raise BadRequest("Bạn vui lòng nhập nội dung câu hỏi.")
    if len(value) > limit:
        raise BadRequest(f"Nội dung dài quá {limit} ký tự.")
    return value


async def config(request: web.Request) -> web.Response:
    """What the widget shows before any message: banner, hours, hotline, quick replies."""
    centre = service_centre()
    settings = request.app[SETTINGS_KEY]
    return web.json_response({
        "rasa_url": rasa_url(),
        "banner": settings["emergency_banner"],
        "max_message_chars": settings["max_message_chars"],
        "quick_replies": settings["quick_replies"],
        "history": settings["history"],
        "centre": centre.name,
        "hotline": centre.hotline,
        "national_hotline": centre.national_hotline,
        "office_hours": centre.office_hours_text(),
        "open_now": centre.is_open(),
        "portal_url": centre.portal_url,
        "session_id": issue_session_id(),
    })


async def post_feedback(request: web.Request) -> web.Response:
    """A thumb on one answer, or the rating at the end of the chat."""
    try:
        data = await read_json(request)
        conversation = conversation_id_of(data)
        kind = data.get("kind")
        value = data.get("value")
        is_number = isinstance(value, int) and not isinstance(value, bool)
        if not is_number or not ((kind == "thumb" and value in (1, -1)) or (kind == "rating" and 1 <= value <= 5)):
            raise BadRequest("Đánh giá không hợp lệ.")
        # The answer rated may be a dossier's: its code and any phone number are not kept twice.
        answer = redact_codes_and_phones(text_field(data, "answer_text", 2000))
        comment = text_field(data, "comment", 1000)
    except BadRequest as problem:
        return error(400, str(problem))
    if not await within_limits(request, "feedback", conversation):
        return error(429, TOO_MANY["feedback"])
    await asyncio.to_thread(request.app[STORE_KEY].add_feedback, conversation, kind, value, answer, comment)
    return web.json_response({"ok": True, "message": "Cảm ơn bạn đã góp ý!"}, status=201)


async def post_callback(request: web.Request) -> web.Response:
    """A citizen's phone number and question, for staff to call back in office hours."""
    try:
        data = await read_json(request)
        conversation = conversation_id_of(data)
        phone = re.sub(r"[\s.\-]", "", text_field(data, "phone", 20))
        if not PHONE.fullmatch(phone):
            raise BadRequest("Số điện thoại chưa đúng (ví dụ: 0912 345 678).")
        question = text_field(data, "question", 1000, required=True)
    except BadRequest as problem:
        return error(400, str(problem))
    if not await within_limits(request, "callback", conversation):
        return error(429, TOO_MANY["callback"])
    await asyncio.to_thread(request.app[STORE_KEY].add_callback, conversation, phone, question)
    return web.json_response(
        {"ok": True, "message": "Đã ghi nhận. Cán bộ sẽ gọi lại cho bạn trong giờ làm việc."}, status=201
    )


async def post_message(request: web.Request) -> web.Response:
    """REST fallback when socket.io cannot connect: relay one message to Rasa's REST channel."""
    try:
        data = await read_json(request)
        conversation = conversation_id_of(data)
        message = text_field(data, "message", request.app[SETTINGS_KEY]["max_message_chars"], required=True)
    except BadRequest as problem:
        return error(400, str(problem))
    if not await within_limits(request, "message", conversation):
        return error(429, TOO_MANY["message"])
    url = f"{rasa_url()}/webhooks/rest/webhook"
    relayed = {"sender": conversation, "session": data["conversation_id"], "message": message}
    try:
        async with request.app[HTTP_KEY].post(url, json=relayed) as response:
            if response.status != 200:
                return error(502, "Trợ lý đang bận, bạn vui lòng thử lại sau ít phút.")
            replies = await response.json(content_type=None)
            # The conversation's stored name stays on the server side.
            return web.json_response([{k: v for k, v in r.items() if k != "recipient_id"} for r in replies])
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, AttributeError):
        return error(503, "Trợ lý tạm thời không phản hồi, bạn vui lòng thử lại sau ít phút.")


def static_file(path: Path, content_type: str):
    async def handler(request: web.Request) -> web.StreamResponse:
        if not path.exists():
            return error(404, "Không tìm thấy tệp.")
        return web.FileResponse(path, headers={"Content-Type": content_type, "Cache-Control": "no-cache"})

    return handler


@web.middleware
async def guarded_writes(request: web.Request, handler) -> web.StreamResponse:
    """Writes: only from allowed origins (when the browser names one), only JSON, only issued ids."""
    if request.method != "POST":
        return await handler(request)
    origin = request.headers.get("Origin")
    allowed = allowed_origins()
    if origin is not None and allowed != "*" and origin not in allowed:
        return error(403, "Trang này không được phép gửi dữ liệu tới trợ lý.")
    if request.content_type != "application/json":
        return error(415, "Dữ liệu gửi lên phải ở dạng JSON (Content-Type: application/json).")
    try:
        return await handler(request)
    except Forbidden as problem:
        return error(403, str(problem))


@web.middleware
async def cors(request: web.Request, handler) -> web.StreamResponse:
    """Portal pages on the configured origins (WEB_ALLOWED_ORIGINS) may call the API."""
    origin = request.headers.get("Origin")
    allowed = allowed_origins()
    permitted = origin and (allowed == "*" or origin in allowed)
    if request.method == "OPTIONS" and permitted:
        response: web.StreamResponse = web.Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    else:
        response = await handler(request)
    if permitted:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


@web.middleware
async def security_headers(request: web.Request, handler) -> web.StreamResponse:
    """No inline scripts, no framing by others, connections only to this server and Rasa."""
    try:
        response = await handler(request)
    except web.HTTPException as problem:
        response = error(problem.status, "Không tìm thấy trang." if problem.status == 404 else "Yêu cầu không hợp lệ.")
    rasa = rasa_url()
    socket = re.sub(r"^http", "ws", rasa)
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {rasa} {socket}; frame-ancestors 'self'; base-uri 'none'; form-action 'self'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


async def _start_http(app: web.Application):
    app[HTTP_KEY] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
    yield
    await app[HTTP_KEY].close()


def create_app(store: Optional[WebStore] = None, settings: Optional[Dict[str, Any]] = None) -> web.Application:
    """The web application (tests build it with their own store)."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=[security_headers, cors, guarded_writes])
    app[STORE_KEY] = store or WebStore()
    app[SETTINGS_KEY] = settings or load_settings()
    app.cleanup_ctx.append(_start_http)
    app.router.add_get("/", static_file(STATIC / "index.html", "text/html; charset=utf-8"))
    app.router.add_get("/widget.js", static_file(STATIC / "widget.js", "text/javascript; charset=utf-8"))
    app.router.add_get("/widget.css", static_file(STATIC / "widget.css", "text/css; charset=utf-8"))
    app.router.add_get("/portal.css", static_file(STATIC / "portal.css", "text/css; charset=utf-8"))
    app.router.add_get("/vendor/socket.io.min.js", static_file(SOCKET_IO_CLIENT, "text/javascript; charset=utf-8"))
    app.router.add_get("/api/config", config)
    app.router.add_post("/api/feedback", post_feedback)
    app.router.add_post("/api/callback", post_callback)
    app.router.add_post("/api/message", post_message)
    return app


def main() -> None:
    """Serve on 127.0.0.1:WEB_PORT."""
    parser = argparse.ArgumentParser(description="Web chat server")
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
