"""Limits every chat channel applies before a message reaches the NLU.

One long message must not stall the server for everyone (parsing grows faster than linearly
with length), and what a client sends next to the text (sender id, metadata) is bounded too.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any, Dict, Optional

DEFAULT_MAX_MESSAGE_CHARS = 1000
MAX_METADATA_BYTES = 4096
# Sender ids of the REST channel: what a client may name its conversation.
SENDER_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")


class Refused(Exception):
    """A request that is not processed; the message is Vietnamese."""


def max_message_chars() -> int:
    """MAX_MESSAGE_CHARS (default 1000): longer messages get a polite refusal before NLU."""
    try:
        return max(int(os.environ.get("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS)), 1)
    except ValueError:
        return DEFAULT_MAX_MESSAGE_CHARS


def too_long_message(limit: int) -> str:
    """The assistant's reply to a message over the limit."""
    shown = f"{limit:,}".replace(",", ".")  # Vietnamese thousands separator
    return (
        f"Tin nhắn của bạn dài quá {shown} ký tự nên mình chưa đọc được. Bạn vui lòng viết ngắn gọn "
        "điều cần hỏi (ví dụ: \"lệ phí làm hộ chiếu bao nhiêu\") hoặc chia thành vài tin nhắn nhé."
    )


def empty_message() -> str:
    return "Mình chưa nhận được nội dung tin nhắn. Bạn vui lòng nhập câu hỏi nhé."


def is_encodable(text: str) -> bool:
    """Whether `text` is valid Unicode (JSON can carry lone surrogates that no database stores)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def message_text(value: Any) -> str:
    """The text of a message, or Refused when it is not text."""
    if value is None:
        return ""
    if not isinstance(value, str) or not is_encodable(value):
        raise Refused("Tin nhắn phải là văn bản.")
    return value


def clean_metadata(value: Any) -> Optional[Dict[str, Any]]:
    """Metadata as a small JSON object, or None; anything else is dropped, never logged."""
    if isinstance(value, str):
        if len(value) > MAX_METADATA_BYTES:
            return None
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    if not isinstance(value, dict):
        return None
    try:
        size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError, RecursionError):
        return None
    return value if size <= MAX_METADATA_BYTES else None


def parse_json_object(body: bytes) -> Dict[str, Any]:
    """A request body as a JSON object, or Refused (malformed, binary, nested too deep)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused("Dữ liệu gửi lên không đúng định dạng JSON.")
    if not isinstance(data, dict):
        raise Refused("Dữ liệu gửi lên không đúng định dạng JSON.")
    return data
