"""Rasa's socket.io channel for the web chat, hardened: origins, issued sessions, bounded input.

- Origins: Rasa's own channel accepts every origin. The portal's pages are the only legitimate
  clients, so `WEB_ALLOWED_ORIGINS` (comma-separated) lists them; the default is the demo page
  on 127.0.0.1. "*" is honoured only when asked for explicitly (demo setups).
- Sessions: a socket speaks and listens only in the session it was confirmed in. The session id
  must be one the assistant issued (bot/sessions.py); any other is replaced by a new one, so no
  socket can join another channel's conversation or invent one. Rasa knows the conversation by
  a digest of the id, so a stored sender id does not open the session. A session is heard by
  one socket at a time: a new socket claiming it (the same citizen reloading) takes it over.
- Output: one socket.io message per utterance, as the REST channel sends it (Rasa's splits a
  text at blank lines into several bubbles and lets custom JSON name its own room).
- Input: messages over MAX_MESSAGE_CHARS get a polite reply and never reach the NLU; engine.io
  drops frames over `MAX_FRAME_BYTES`; metadata must be a small object.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.bounds import clean_metadata, empty_message, max_message_chars, too_long_message
from bot.sessions import conversation_for, is_valid_session_id, issue_session_id

logger = logging.getLogger(__name__)
DEFAULT_ORIGINS = "http://127.0.0.1:{port},http://localhost:{port}"
MAX_FRAME_BYTES = 64 * 1024


def allowed_origins() -> Union[str, List[str]]:
    """The origins from WEB_ALLOWED_ORIGINS, or the demo page's."""
    raw = os.environ.get("WEB_ALLOWED_ORIGINS") or DEFAULT_ORIGINS.format(port=os.environ.get("WEB_PORT", "8080"))
    origins = [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]
    return "*" if origins == ["*"] else origins


class PortalSocketIOOutput(SocketIOOutput):
    """Replies exactly as the REST channel groups them: one message per utterance, buttons on it."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        quick_replies = [
            {"content_type": "text", "title": button["title"], "payload": button["payload"]} for button in buttons
        ]
        await self._send_message(recipient_id, {"text": text, "quick_replies": quick_replies})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        # Rasa passes the JSON as emit()'s keyword arguments, so a "room" key would pick the listener.
        await self._send_message(recipient_id, {"custom": json_message})


class PortalSocketIOInput(SocketIOInput):
    """socket.io for the web chat; only the configured origins may connect."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint with the origin check, issued sessions and bounded messages."""
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        sio.eio.cors_allowed_origins = allowed_origins()
        sio.eio.max_http_buffer_size = MAX_FRAME_BYTES
        namespace = self.namespace
        session_of: Dict[str, str] = {}  # socket id -> the conversation it was confirmed in
        listener_of: Dict[str, str] = {}  # conversation -> the socket that hears it

        async def say(sid: str, text: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=namespace)

        # Rasa 3.6 calls `sio.enter_room` without awaiting it (python-socketio 5 made it a
        # coroutine), and takes any session id the client names. Replaced.
        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if is_valid_session_id(requested) else issue_session_id()
            conversation = conversation_for(session_id)
            previous = session_of.pop(sid, None)
            if previous and previous != conversation:
                await sio.leave_room(sid, previous, namespace=namespace)
                listener_of.pop(previous, None)
            if self.session_persistence:
                other = listener_of.get(conversation)
                if other and other != sid:  # the citizen reloaded or opened it elsewhere: one listener
                    await sio.leave_room(other, conversation, namespace=namespace)
                    session_of.pop(other, None)
                # Replies go to the room named after the conversation (SocketIOOutput's recipient).
                await sio.enter_room(sid, conversation, namespace=namespace)
                listener_of[conversation] = sid
            session_of[sid] = conversation
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: Text) -> None:
            session_id = session_of.pop(sid, None)
            if session_id and listener_of.get(session_id) == sid:
                del listener_of[session_id]

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                sender_id = session_of.get(sid)
                claimed = data.get("session_id")
                if sender_id is None or (claimed is not None and conversation_for(str(claimed)) != sender_id):
                    logger.warning("socket %s sent a message outside its confirmed session: refused", sid)
                    return
            else:
                sender_id = sid
            text = data.get("message", "")
            if not isinstance(text, str):
                return
            limit = max_message_chars()
            if len(text) > limit:
                await say(sid, too_long_message(limit))
                return
            if not text.strip():
                await say(sid, empty_message())
                return
            message = UserMessage(
                text,
                PortalSocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=clean_metadata(data.get(self.metadata_key)),
            )
            await on_new_message(message)

        return blueprint
