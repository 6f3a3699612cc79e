"""Rasa's socket.io channel, with the browser origins allowed to connect set by configuration.

Rasa's own channel accepts every origin. The portal's pages are the only legitimate clients,
so `WEB_ALLOWED_ORIGINS` (comma-separated) lists them; the default is the demo page on
127.0.0.1. "*" is honoured only when asked for explicitly (demo setups).
"""
from __future__ import annotations

import os
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

DEFAULT_ORIGINS = "http://127.0.0.1:{port},http://localhost:{port}"


def allowed_origins() -> Union[str, List[str]]:
    """The origins from WEB_ALLOWED_ORIGINS, or the demo page's."""
    raw = os.environ.get("WEB_ALLOWED_ORIGINS") or DEFAULT_ORIGINS.format(port=os.environ.get("WEB_PORT", "8080"))
    origins = [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]
    return "*" if origins == ["*"] else origins


class PortalSocketIOInput(SocketIOInput):
    """socket.io for the web chat; only the configured origins may connect."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint with the origin check switched on."""
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        sio.eio.cors_allowed_origins = allowed_origins()

        # Rasa 3.6 calls `sio.enter_room` without awaiting it, and python-socketio 5.x made it a
        # coroutine: the browser never joins its session's room and gets no answers. Replaced.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id.strip() or len(session_id) > 64:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        return blueprint
