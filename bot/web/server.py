"""The web chat's server: the demo portal page, the widget, its settings and feedback API.

`python -m bot.web.server` serves on 127.0.0.1:WEB_PORT (default 8080):
  GET  /                 demo portal page with the widget (web/static/index.html)
  GET  /widget.js, /widget.css, /vendor/socket.io.min.js (from web/node_modules)
  GET  /api/config       banner, office hours, hotline, quick replies, where Rasa is
  POST /api/feedback     {"conversation_id", "kind": "thumb"|"rating", "value", "answer_text"?, "comment"?}
  POST /api/callback     {"conversation_id", "phone", "question"}
  POST /api/message      {"conversation_id", "message"}: REST fallback, relayed to Rasa's REST channel
Every error is a JSON {"error": "<Vietnamese message>"} with a 4xx/5xx status.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
from pathlib import Path
from typing import Any, Dict, Optional

import aiohttp
import yaml
from aiohttp import web

from actions.settings import REPO_ROOT, SETTINGS_DIR, service_centre
from bot.channels.socketio import allowed_origins
from bot.web.store import WebStore

logger = logging.getLogger(__name__)
STATIC = REPO_ROOT / "web" / "static"
SOCKET_IO_CLIENT = REPO_ROOT / "web" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
MAX_BODY = 16 * 1024
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
PHONE = re.compile(r"^(?:\+?84|0)\d{8,10}$")
STORE_KEY = web.AppKey("store", WebStore)
SETTINGS_KEY = web.AppKey("settings", dict)
HTTP_KEY = web.AppKey("http", aiohttp.ClientSession)


class BadRequest(Exception):
    """A request the citizen's browser should not have sent; the message is Vietnamese."""


def load_settings(path: Optional[Path] = None) -> Dict[str, Any]:
    """settings/web.yml with defaults."""
    data = yaml.safe_load((path or SETTINGS_DIR / "web.yml").read_text("utf-8")) or {}
    return {
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


async def read_json(request: web.Request) -> Dict[str, Any]:
    """The request body as a JSON object, or BadRequest with a Vietnamese message."""
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BadRequest("Nội dung gửi lên quá dài.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("Dữ liệu gửi lên không đúng định dạng JSON.")
    if not isinstance(data, dict):
        raise BadRequest("Dữ liệu gửi lên không đúng định dạng JSON.")
    return data


def conversation_id_of(data: Dict[str, Any]) -> str:
    value = data.get("conversation_id")
    if not isinstance(value, str) or not CONVERSATION_ID.fullmatch(value):
        raise BadRequest("Thiếu mã cuộc trò chuyện.")
    return value


def text_field(data: Dict[str, Any], name: str, limit: int, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
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
        "centre": centre.name,
        "hotline": centre.hotline,
        "national_hotline": centre.national_hotline,
        "office_hours": centre.office_hours_text(),
        "open_now": centre.is_open(),
        "portal_url": centre.portal_url,
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
        answer = text_field(data, "answer_text", 2000)
        comment = text_field(data, "comment", 1000)
    except BadRequest as problem:
        return error(400, str(problem))
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
    url = f"{rasa_url()}/webhooks/rest/webhook"
    try:
        async with request.app[HTTP_KEY].post(url, json={"sender": conversation, "message": message}) as response:
            if response.status != 200:
                return error(502, "Trợ lý đang bận, bạn vui lòng thử lại sau ít phút.")
            return web.json_response(await response.json(content_type=None))
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return error(503, "Trợ lý tạm thời không phản hồi, bạn vui lòng thử lại sau ít phút.")


def static_file(path: Path, content_type: str):
    async def handler(request: web.Request) -> web.StreamResponse:
        if not path.exists():
            return error(404, "Không tìm thấy tệp.")
        return web.FileResponse(path, headers={"Content-Type": content_type, "Cache-Control": "no-cache"})

    return handler


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
    app = web.Application(client_max_size=MAX_BODY, middlewares=[security_headers, cors])
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
