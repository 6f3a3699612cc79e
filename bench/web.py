"""Web chat speed in a real browser: page load to widget ready, and message sent to answer shown.

Starts the whole stack (scripts/run.sh, as `make run` does) on free ports on 127.0.0.1, drives
Debian's Chromium headless with Playwright, prints p50/p95, stops everything.
Usage: .venv/bin/python bench/web.py [--runs 10]
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["lệ phí làm hộ chiếu bao nhiêu", "dang ky tam tru can giay to gi", "xin chào",
             "cấp đổi thẻ căn cước mất bao lâu", "nộp hồ sơ khai sinh ở đâu"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 300) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:  # it answers (Rasa's /status wants the token): it is up
            return
        except OSError:
            time.sleep(1)
    raise TimeoutError(url)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
    env = dict(os.environ, **{k: str(v) for k, v in ports.items()})
    stack = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{ports['WEB_PORT']}/"
    try:
        wait_for(f"http://127.0.0.1:{ports['RASA_PORT']}/status")
        wait_for(url + "api/config")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
            ready, answers = [], []
            for run in range(args.runs):
                context = browser.new_context()
                page = context.new_page()
                start = time.perf_counter()
                page.goto(url)
                page.get_by_role("button", name="Hỏi trợ lý ảo").click()
                page.wait_for_selector(".lsa[data-state=ready]", state="attached", timeout=30_000)
                ready.append((time.perf_counter() - start) * 1000)
                for question in QUESTIONS[: 2 if run else len(QUESTIONS)]:
                    count = page.locator(".msg.bot").count()
                    page.get_by_label("Nhập câu hỏi").fill(question)
                    start = time.perf_counter()
                    page.get_by_role("button", name="Gửi", exact=True).click()
                    page.wait_for_function(f"() => document.querySelector('#lsa-chat-host').shadowRoot"
                                           f".querySelectorAll('.msg.bot').length > {count}", timeout=30_000)
                    answers.append((time.perf_counter() - start) * 1000)
                context.close()
            browser.close()
        print(f"page load -> widget ready ({len(ready)} loads): p50 {statistics.median(ready):.0f} ms, "
              f"p95 {percentile(ready, 0.95):.0f} ms")
        print(f"message sent -> answer shown ({len(answers)} messages): p50 {statistics.median(answers):.0f} ms, "
              f"p95 {percentile(answers, 0.95):.0f} ms")
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
