"""Rasa's REST channel (/webhooks/rest/webhook), with its input bounded before the NLU runs.

Rasa's own channel takes any body: a 100 kB message stalled the server for everyone, metadata
that is not an object was logged verbatim, and the client could name the input channel. Here the
body must be a JSON object, the sender id a short token, the message text of at most
MAX_MESSAGE_CHARS characters (longer ones get a polite reply and never reach the NLU), the
metadata a small object; the input channel is always "rest". Web-chat conversations ("web-…")
are reachable here only by the web relay, which presents their session id.
"""
from __future__ import annotations

import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.bounds import (
    SENDER_ID_PATTERN,
    Refused,
    clean_metadata,
    empty_message,
    max_message_chars,
    message_text,
    parse_json_object,
    too_long_message,
)
from bot.sessions import WEB_CONVERSATION_PREFIX, conversation_for

logger = logging.getLogger(__name__)
DEFAULT_SENDER = "default"  # Rasa's REST channel uses this when no sender is given


def reply(recipient: str, text: str) -> HTTPResponse:
    """An answer in the channel's own shape, given without running the assistant."""
    return response.json([{"recipient_id": recipient, "text": text}])


class BoundedRestInput(RestInput):
    """The REST channel with bounded input; same URL and reply shape as Rasa's."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("bounded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                data = parse_json_object(request.body)
                sender = data.get("sender", DEFAULT_SENDER)
                if not isinstance(sender, str) or not SENDER_ID_PATTERN.fullmatch(sender):
                    raise Refused("Mã người gửi (sender) không hợp lệ: tối đa 128 ký tự chữ, số và . _ : @ -.")
                if sender.startswith(WEB_CONVERSATION_PREFIX) and conversation_for(str(data.get("session"))) != sender:
                    # A web-chat conversation is spoken in only with its session id (the web relay).
                    raise Refused("Cuộc trò chuyện này chỉ dùng được từ khung chat trên cổng dịch vụ công.")
                text = message_text(data.get("message"))
            except Refused as problem:
                return response.json({"error": str(problem)}, status=400)
            limit = max_message_chars()
            if len(text) > limit:
                return reply(sender, too_long_message(limit))
            if not text.strip():
                return reply(sender, empty_message())
            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, sender, input_channel=self.name(), metadata=clean_metadata(data.get("metadata"))
            )
            try:
                await on_new_message(message)
            except CancelledError:
                logger.error("REST message timed out (sender %s)", sender)
            except Exception:  # the text is not logged: it may hold personal data
                logger.exception("REST message failed (sender %s)", sender)
            return response.json(collector.messages)

        return webhook
