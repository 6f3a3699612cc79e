"""Terminal chat with the running assistant through its REST channel (`make shell`)."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from typing import Any, Dict, List

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=30)


def render(reply: Dict[str, Any]) -> str:
    """One bot reply as terminal text, buttons numbered."""
    lines = [reply.get("text") or ""]
    for number, button in enumerate(reply.get("buttons") or [], start=1):
        lines.append(f"  [{number}] {button.get('title')}")
    if reply.get("image"):
        lines.append(f"  (ảnh) {reply['image']}")
    return "\n".join(line for line in lines if line)


async def chat(url: str, sender: str) -> None:
    """Read lines, send them, print replies; a number picks a button of the last reply."""
    buttons: List[Dict[str, Any]] = []
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        print("Gõ tin nhắn rồi Enter; số thứ tự để bấm nút; /thoat để thoát.")
        while True:
            try:
                line = await asyncio.to_thread(input, "Bạn: ")
            except (EOFError, KeyboardInterrupt):
                break
            line = line.strip()
            if line in {"/thoat", "/exit", "/quit"}:
                break
            if line.isdigit() and 0 < int(line) <= len(buttons):
                line = buttons[int(line) - 1]["payload"]
            if not line:
                continue
            try:
                async with session.post(url, json={"sender": sender, "message": line}) as resp:
                    replies = await resp.json(content_type=None)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                print("Không kết nối được tới trợ lý. Bạn đã chạy `make run` chưa?")
                continue
            buttons = []
            for reply in replies or []:
                print("Trợ lý:", render(reply))
                buttons = reply.get("buttons") or buttons


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    port = os.environ.get("RASA_PORT", "5005")
    parser.add_argument("--url", default=f"http://127.0.0.1:{port}/webhooks/rest/webhook")
    parser.add_argument("--sender", default=f"terminal-{uuid.uuid4().hex[:8]}")
    args = parser.parse_args()
    asyncio.run(chat(args.url, args.sender))
    sys.exit(0)


if __name__ == "__main__":
    main()
