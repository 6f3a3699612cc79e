"""The attack suite: every path into the running stack, tried as an intruder would.

One live stack as `make run` starts it (Rasa with the API behind a token, two action-server
replicas sharing the assistant database, the web server), the demo dossiers seeded. Each test
is one attack of docs/security.md; none of them may read a dossier fact or another conversation
without the owner's digits.
"""
from __future__ import annotations

import asyncio
import functools
import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from tests.test_server import ROOT, Stack, free_port, wait_until_up

PROCESSING = "000.00.20.H37-260113-9004"  # demo dossier, phone ending 0004
FACTS = ("Đang xử lý", "Cấp đổi thẻ căn cước", "Phạm T", "Trạng thái")  # what its answer reveals
LOCKED_CODE = "000.00.20.H37-260115-9001"  # phone ending 0001; locked by the concurrency test


def request(method: str, url: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None,
            timeout: float = 60):
    """(status, text) of one HTTP request; never raises for an HTTP error status."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def post_json(url: str, payload: Any, headers: Optional[Dict[str, str]] = None, timeout: float = 60):
    return request("POST", url, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})},
                   timeout)


@pytest.fixture(scope="module")
def live(model_path, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("attack")
    stack = Stack(model_path, workdir)
    web_port = free_port()
    stack.env.update(WEB_PORT=str(web_port), RASA_PORT=str(stack.rasa_port))
    replica_port = free_port()
    replica = web = None
    try:
        stack.start_actions()
        replica = stack.action_server(replica_port, "actions-replica.log")
        stack.start_rasa()
        web = subprocess.Popen([sys.executable, "-m", "bot.web.server", "--port", str(web_port)], cwd=ROOT,
                               env=stack.env, stdout=open(workdir / "web.log", "ab"), stderr=subprocess.STDOUT)
        wait_until_up(f"http://127.0.0.1:{web_port}/api/config", web)
        yield {"stack": stack, "web": f"http://127.0.0.1:{web_port}",
               "actions": [f"http://127.0.0.1:{stack.actions_port}", f"http://127.0.0.1:{replica_port}"]}
    finally:
        for process in (web, replica):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        stack.stop()


def say(live, sender: str, text: str):
    return live["stack"].say(sender, text)


def joined(replies) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def verified_owner(live, sender: str) -> None:
    """A citizen who looked up their own dossier: a conversation with dossier facts in it."""
    say(live, sender, f"tra cứu hồ sơ {PROCESSING}")
    assert "Trạng thái: Đang xử lý" in joined(say(live, sender, "0004"))


# --- 1. Rasa's HTTP API -----------------------------------------------------------------------

API_CALLS = [
    ("GET", "/conversations/{victim}/tracker", None),
    ("GET", "/conversations/{victim}/story", None),
    ("POST", "/conversations/{victim}/tracker/events",
     [{"event": "slot", "name": "dossier_code", "value": PROCESSING},
      {"event": "slot", "name": "dossier_outcome", "value": "verified"}]),
    ("PUT", "/conversations/{victim}/tracker/events", []),
    ("POST", "/conversations/{victim}/execute", {"name": "action_lookup_dossier"}),
    ("POST", "/conversations/{victim}/trigger_intent", {"name": "lookup_dossier"}),
    ("POST", "/conversations/{victim}/messages", {"text": "0004", "sender": "user"}),
    ("POST", "/conversations/{victim}/predict", None),
    ("POST", "/model/parse", {"text": "xin chào"}),
    ("GET", "/status", None),
    ("GET", "/domain", None),
    ("DELETE", "/model", None),
]


@pytest.mark.parametrize("method, path, payload", API_CALLS, ids=[f"{m} {p}" for m, p, _ in API_CALLS])
@pytest.mark.parametrize("token", ["", "?token=wrong"], ids=["no-token", "wrong-token"])
def test_the_rasa_api_refuses_calls_without_its_token(live, method, path, payload, token):
    victim = "victim-api"
    if not live.get("victim-api"):
        verified_owner(live, victim)
        live["victim-api"] = True
    url = live["stack"].url + path.format(victim=victim) + token
    body = json.dumps(payload).encode() if payload is not None else None
    status, text = request(method, url, body, {"Content-Type": "application/json"})
    assert status in (401, 403), (status, text[:200])
    assert not any(fact in text for fact in FACTS)


def test_a_cross_site_page_cannot_write_into_a_conversation(live):
    stack = live["stack"]
    sender = "victim-csrf"
    say(live, sender, "xin chào")
    body = json.dumps([{"event": "slot", "name": "dossier_outcome", "value": "verified"}]).encode()
    status, _ = request("POST", f"{stack.url}/conversations/{sender}/tracker/events", body,
                        {"Content-Type": "text/plain", "Origin": "https://evil.example"})
    assert status == 401
    assert stack.tracker(sender)["slots"]["dossier_outcome"] is None


def test_even_the_operator_token_cannot_open_a_dossier_by_setting_slots(live):
    """Injected slots through the API, then the lookup action: no grant, so nothing is shown."""
    stack = live["stack"]
    token = f"?token={stack.env['RASA_AUTH_TOKEN']}"
    sender = "api-forger"
    say(live, sender, "xin chào")
    events = [{"event": "slot", "name": "dossier_code", "value": PROCESSING},
              {"event": "slot", "name": "dossier_outcome", "value": "verified"}]
    assert post_json(f"{stack.url}/conversations/{sender}/tracker/events{token}", events)[0] == 200
    status, text = post_json(f"{stack.url}/conversations/{sender}/execute{token}", {"name": "action_lookup_dossier"})
    assert status == 200
    messages = json.loads(text)["messages"]
    assert messages and not any(fact in joined(messages) for fact in FACTS)
    assert "chưa xác minh" in joined(messages)


def test_an_intent_payload_cannot_set_the_verification(live):
    sender = "payload-forger"
    replies = say(live, sender, '/lookup_dossier{"dossier_code": "%s", "dossier_outcome": "verified"}' % PROCESSING)
    replies += say(live, sender, '/inform{"dossier_outcome": "verified", "dossier_phone": null}')
    assert not any(fact in joined(replies) for fact in FACTS)


# --- 2. The action server -----------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def domain_dict() -> Dict[str, Any]:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain")).as_dict()


def action_call(action: str, sender: str, slots: Dict[str, Any], text: str = "", events=None) -> Dict[str, Any]:
    """A call as Rasa sends it to the action server."""
    latest = {"text": text, "intent": {"name": "inform", "confidence": 1.0}, "entities": []}
    all_slots = {"dossier_code": None, "dossier_phone": None, "dossier_outcome": None, "requested_slot": None, **slots}
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": domain_dict(),
        "tracker": {
            "sender_id": sender, "slots": all_slots, "latest_message": latest,
            "events": events if events is not None else [{"event": "user", "text": text, "parse_data": latest}],
            "paused": False, "followup_action": None, "active_loop": {"name": "dossier_form"},
            "latest_action_name": "action_listen",
        },
    }


def test_the_action_server_answers_only_rasa(live):
    call = action_call("action_lookup_dossier", "direct", {"dossier_code": PROCESSING, "dossier_outcome": "verified"})
    for url in live["actions"]:
        for suffix in ("", "?token=wrong"):
            status, text = post_json(f"{url}/webhook{suffix}", call)
            assert status == 401 and not any(fact in text for fact in FACTS)
        status, text = request("GET", f"{url}/actions")
        assert status == 401


@pytest.mark.parametrize("replica", [0, 1])
def test_a_forged_tracker_with_the_token_still_shows_no_dossier(live, replica):
    """Even a caller holding the token (a compromised proxy) cannot skip the digits."""
    token = live["stack"].env["ACTION_SERVER_TOKEN"]
    call = action_call("action_lookup_dossier", f"forged-{replica}", {"dossier_code": PROCESSING, "dossier_outcome": "verified"})
    status, text = post_json(f"{live['actions'][replica]}/webhook?token={token}", call)
    assert status == 200
    said = joined(json.loads(text)["responses"])
    assert not any(fact in said for fact in FACTS) and "chưa xác minh" in said


def test_a_verified_conversation_cannot_be_replayed_by_another(live):
    verified_owner(live, "owner-replay")
    token = live["stack"].env["ACTION_SERVER_TOKEN"]
    for sender in ("owner-replay", "thief-replay"):  # the grant was used up by the owner's own answer
        call = action_call("action_lookup_dossier", sender, {"dossier_code": PROCESSING, "dossier_outcome": "verified"})
        _, text = post_json(f"{live['actions'][1]}/webhook?token={token}", call)
        assert not any(fact in text for fact in FACTS)


def test_the_per_code_limit_holds_at_50_concurrent_tries_across_two_replicas(live):
    token = live["stack"].env["ACTION_SERVER_TOKEN"]
    domain_dict()

    def guess(i: int) -> Dict[str, Any]:
        sender = f"burst-{uuid.uuid4().hex[:8]}"
        digits = f"{9000 + i}"
        latest_events = [{"event": "user", "text": digits, "parse_data": {"text": digits}},
                         {"event": "slot", "name": "dossier_phone", "value": digits}]
        call = action_call("validate_dossier_form", sender,
                           {"dossier_code": LOCKED_CODE, "requested_slot": "dossier_phone", "dossier_phone": digits},
                           digits, latest_events)
        status, text = post_json(f"{live['actions'][i % 2]}/webhook?token={token}", call)
        assert status == 200, text[:300]
        return json.loads(text)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(guess, range(50)))
    outcomes = [next((e["value"] for e in r["events"] if e.get("name") == "dossier_outcome"), None) for r in results]
    compared = [r for r in results if "chưa khớp" in json.dumps(r, ensure_ascii=False)]
    assert len(compared) == 5 and outcomes.count("blocked") == 45
    # The owner, with the right digits, is stopped too until the hour is over.
    say(live, "locked-owner", f"tra cứu hồ sơ {LOCKED_CODE}")
    answer = joined(say(live, "locked-owner", "0001"))
    assert "tạm dừng tra cứu" in answer and "Mới đăng ký" not in answer


# --- 3. Bounded input ---------------------------------------------------------------------------

def test_long_messages_are_refused_politely_while_others_are_answered(live):
    stack = live["stack"]
    results: Dict[str, Any] = {}

    def long_message(size: int):
        start = time.monotonic()
        status, text = post_json(f"{stack.url}/webhooks/rest/webhook", {"sender": f"long-{size}", "message": "a " * (size // 2)})
        results[size] = (status, text, time.monotonic() - start)

    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = [pool.submit(long_message, size) for size in (100_000, 1_000_000)]
        greeting = pool.submit(stack.say, "bystander", "xin chào")
        for job in jobs:
            job.result()
        assert "trợ lý ảo" in joined(greeting.result())
    for size in (100_000, 1_000_000):
        status, text, _ = results[size]
        assert status == 200 and "dài quá 1.000 ký tự" in joined(json.loads(text))
    # Nothing of them reached the NLU or the tracker store.
    events = stack.tracker("long-1000000")["events"]
    assert not [e for e in events if e["event"] == "user"]


@pytest.mark.parametrize("body, status", [
    pytest.param(b"[" * 50_000 + b"]" * 50_000, 400, id="nested"),
    pytest.param(b'{"sender": "x", "message": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", 400, id="nested-message"),
    pytest.param(b"\xff\xfe\x00\x01", 400, id="binary"),
    pytest.param(b"not json", 400, id="not-json"),
    pytest.param(b'{"sender": "' + b"s" * 3000 + '", "message": "xin chào"}'.encode(), 400, id="long-sender"),
    pytest.param('{"sender": "x", "message": {"text": "xin chào"}}'.encode(), 400, id="message-object"),
    pytest.param('{"sender": "bad-meta", "message": "xin chào", "metadata": "'.encode() + b"{" * 3000 + b'"}', 200,
                 id="bad-metadata"),
])
def test_malformed_rest_bodies_get_a_clear_answer(live, body, status):
    got, text = request("POST", f"{live['stack'].url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    assert got == status, text[:300]
    if status == 400:
        assert json.loads(text)["error"]  # a Vietnamese explanation
    else:
        assert "trợ lý ảo" in joined(json.loads(text))  # answered; the bad metadata was dropped


def test_nothing_typed_reaches_the_logs(live):
    marker = "metadata-marker-7f3a"
    post_json(f"{live['stack'].url}/webhooks/rest/webhook",
              {"sender": "log-check", "message": f"xin chào {marker}", "metadata": f"{{not json {marker}"})
    logs = b"".join(path.read_bytes() for path in live["stack"].workdir.glob("*.log")).decode("utf-8", "replace")
    assert marker not in logs


# --- 4. socket.io sessions ----------------------------------------------------------------------

class Browser:
    """A socket.io client as the widget is one."""

    def __init__(self, url: str, origin: str):
        import socketio

        self.client = socketio.AsyncClient(reconnection=False)
        self.url, self.origin = url, origin
        self.session: Optional[str] = None
        self.heard: list = []
        self.confirmed = asyncio.Event()

        @self.client.on("session_confirm")
        async def confirmed(session_id):
            self.session = session_id
            self.confirmed.set()

        @self.client.on("bot_uttered")
        async def heard(message):
            self.heard.append(message)

    async def open(self, session_id: Optional[str] = None):
        await self.client.connect(self.url, headers={"Origin": self.origin}, transports=["polling"],
                                  socketio_path="/socket.io")
        if session_id is not False:
            self.confirmed.clear()
            await self.client.emit("session_request", {"session_id": session_id})
            await asyncio.wait_for(self.confirmed.wait(), 10)
        return self

    async def close(self):
        """Drop the connection at once (a polite disconnect waits for the long poll)."""
        try:
            await asyncio.wait_for(self.client.eio.disconnect(abort=True), 2)
        except Exception:
            pass

    async def say(self, text: str, session_id: Optional[str] = None):
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id or self.session})

    async def wait_for_reply(self, seconds: float = 30) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.heard:
                return True
            await asyncio.sleep(0.1)
        return False


def run(coro):
    return asyncio.run(coro)


def origin_of(live) -> str:
    return live["web"]


def test_a_socket_cannot_choose_its_session_id(live):
    async def scenario():
        browser = await Browser(live["stack"].url, origin_of(live)).open("citizen-1")
        other = await Browser(live["stack"].url, origin_of(live)).open("a" * 3000)
        sessions = (browser.session, other.session)
        await browser.close()
        await other.close()
        return sessions

    first, second = run(scenario())
    assert first != "citizen-1" and len(first) == 48 and len(second) == 48 and first != second


def test_a_stored_conversation_id_does_not_open_the_session(live):
    """The sender id Rasa stores (tracker, feedback) is a digest: presenting it gets a new session."""
    from bot.sessions import conversation_for

    secret = live["stack"].env["WEB_SESSION_SECRET"].encode()

    async def scenario():
        victim = await Browser(live["stack"].url, origin_of(live)).open()
        stored = conversation_for(victim.session, secret)
        intruder = await Browser(live["stack"].url, origin_of(live)).open(stored)
        await victim.say("xin chào")
        await victim.wait_for_reply()
        await asyncio.sleep(1)
        result = (intruder.session != victim.session, bool(victim.heard), intruder.heard)
        await victim.close()
        await intruder.close()
        return result

    different, victim_heard, intruder_heard = run(scenario())
    assert different and victim_heard and intruder_heard == []


def test_a_socket_cannot_speak_in_another_session(live):
    async def scenario():
        victim = await Browser(live["stack"].url, origin_of(live)).open()
        intruder = await Browser(live["stack"].url, origin_of(live)).open()
        await intruder.say("cho mình xin số tổng đài", session_id=victim.session)
        silent = await Browser(live["stack"].url, origin_of(live)).open(False)  # never asked for a session
        await silent.say("xin chào", session_id=victim.session)
        await asyncio.sleep(3)
        result = (victim.heard, intruder.heard, silent.heard)
        for browser in (victim, intruder, silent):
            await browser.close()
        return result

    victim_heard, intruder_heard, silent_heard = run(scenario())
    assert victim_heard == [] and intruder_heard == [] and silent_heard == []


def test_long_socket_messages_are_refused_before_nlu(live):
    async def scenario():
        browser = await Browser(live["stack"].url, origin_of(live)).open()
        await browser.say("hồ sơ " * 200)  # 1,200 characters: over the limit, a polite reply
        await browser.wait_for_reply(15)
        polite = list(browser.heard)
        flooder = await Browser(live["stack"].url, origin_of(live)).open()
        try:  # 1 MB in one frame: engine.io drops it (and the socket) before anything reads it
            await flooder.say("a" * 1_000_000)
        except Exception:
            pass
        await asyncio.sleep(2)
        await browser.say("xin chào")
        browser.heard.clear()
        answered = await browser.wait_for_reply(30)
        result = (polite, flooder.heard, answered and browser.heard)
        for client in (browser, flooder):
            await client.close()
        return result

    polite, flooded, answer = run(scenario())
    assert polite and "dài quá 1.000 ký tự" in polite[0]["text"]
    assert flooded == []
    assert answer and "trợ lý ảo" in answer[0]["text"]


# --- 5. The web API ---------------------------------------------------------------------------

def test_the_web_api_refuses_foreign_origins_plain_text_and_made_up_ids(live):
    web = live["web"]
    session = json.loads(request("GET", f"{web}/api/config")[1])["session_id"]
    body = {"conversation_id": session, "phone": "0912345678", "question": "gọi lại giúp tôi"}
    assert post_json(f"{web}/api/callback", body, {"Origin": "https://evil.example"})[0] == 403
    assert post_json(f"{web}/api/callback", body, {"Origin": "null"})[0] == 403
    assert request("POST", f"{web}/api/callback", json.dumps(body).encode(), {"Content-Type": "text/plain"})[0] == 415
    assert post_json(f"{web}/api/callback", {**body, "conversation_id": "0" * 48})[0] == 403
    statuses = [post_json(f"{web}/api/callback", body)[0] for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_a_web_conversation_is_reached_only_through_its_session(live):
    """The relay hides the stored conversation id; REST refuses it without the session id."""
    web, stack = live["web"], live["stack"]
    session = json.loads(request("GET", f"{web}/api/config")[1])["session_id"]
    status, text = post_json(f"{web}/api/message", {"conversation_id": session, "message": f"tra cứu hồ sơ {PROCESSING}"})
    assert status == 200 and "recipient_id" not in text
    from bot.sessions import conversation_for

    stored = conversation_for(session, stack.env["WEB_SESSION_SECRET"].encode())
    status, text = post_json(f"{stack.url}/webhooks/rest/webhook", {"sender": stored, "message": "0004"})
    assert status == 400 and not any(fact in text for fact in FACTS)
    status, text = post_json(f"{stack.url}/webhooks/rest/webhook",
                             {"sender": stored, "session": "0" * 48, "message": "0004"})
    assert status == 400 and not any(fact in text for fact in FACTS)


def test_the_web_relay_cannot_speak_in_a_made_up_conversation(live):
    status, text = post_json(f"{live['web']}/api/message", {"conversation_id": "victim-api", "message": "0004"})
    assert status == 403 and not any(fact in text for fact in FACTS)


# --- 6. Nothing sensitive at rest ---------------------------------------------------------------

def test_digits_and_phones_are_masked_at_rest_whatever_the_form_asked(live):
    stack = live["stack"]
    sender = "at-rest"
    say(live, sender, f"tra cứu hồ sơ {PROCESSING}")
    say(live, sender, "4827")  # wrong digits: asked again
    say(live, sender, "4 số cuối là 3916")  # wrong again
    say(live, sender, "hồ sơ 000.00.20.H37-260113-9012 sđt 0900000012")  # digits in a first message
    for phone in ("(091) 234-5678", "091/234/5678", "+84 (0) 912 345 678", "０９１２３４５６７８"):
        say(live, "at-rest-phones", f"gọi lại cho tôi số {phone} nhé")
    rows = sqlite3.connect(stack.workdir / "tracker.db").execute(
        "SELECT data FROM events WHERE sender_id IN ('at-rest', 'at-rest-phones')").fetchall()
    typed = []  # what citizens typed, wherever the store keeps it (timestamps, confidences left out)
    for (data,) in rows:
        event = json.loads(data)
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}  # its confidences are digits too: texts only
            typed += [event.get("text") or "", parse.get("text") or ""]
            typed += [str(entity.get("value")) for entity in parse.get("entities") or []]
        elif event.get("event") == "slot":
            typed.append(json.dumps(event.get("value"), ensure_ascii=False))
    stored = "\n".join(typed)
    for secret in ("4827", "3916", "0900000012", "234-5678", "234/5678", "912 345 678", "３４５６７８"):
        assert secret not in stored, secret
    assert PROCESSING in stored


def test_a_citizen_sees_their_own_tries_left(live):
    code = "000.00.20.H37-260115-9002"
    for i in range(3):
        say(live, f"other-{i}", f"tra cứu hồ sơ {code}")
        say(live, f"other-{i}", "1111")
    say(live, "own-count", f"tra cứu hồ sơ {code}")
    assert "còn 4 lần thử" in joined(say(live, "own-count", "2222"))


def test_failure_digests_are_keyed(live):
    import hashlib

    rows = sqlite3.connect(Path(live["stack"].env["ASSISTANT_DB_URL"][len("sqlite:///"):])).execute(
        "SELECT key FROM lookup_attempts").fetchall()
    keys = {row[0] for row in rows}
    assert keys
    assert hashlib.sha256(f"code:{LOCKED_CODE}".encode()).hexdigest() not in keys


# --- 7. The shipped proxy ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def proxy(live, tmp_path_factory):
    """nginx with deploy/nginx.conf.template in front of the live stack."""
    import shutil
    from string import Template

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    site = Template((ROOT / "deploy" / "nginx.conf.template").read_text("utf-8")).safe_substitute(
        LISTEN=f"127.0.0.1:{port}", RASA_UPSTREAM=f"127.0.0.1:{live['stack'].rasa_port}",
        WEB_UPSTREAM=live["web"].removeprefix("http://"))
    (folder / "site.conf").write_text(site, "utf-8")
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (folder / "nginx.conf").write_text(
        f"daemon off; worker_processes 1; pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'};\n"
        f"events {{}}\nhttp {{ access_log off; {temp} include {folder / 'site.conf'}; }}\n", "utf-8")
    process = subprocess.Popen([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=open(folder / "stderr.log", "wb"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if request("GET", f"{url}/api/config", timeout=2)[0] == 200:
                break
        except OSError:  # not listening yet
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_the_shipped_proxy_forwards_only_the_channels(live, proxy):
    token = live["stack"].env["RASA_AUTH_TOKEN"]
    verified_owner(live, "behind-proxy")
    # Rasa's API is not there for the public, not even with the operator's token.
    for method, path in (("GET", f"/conversations/behind-proxy/tracker?token={token}"), ("GET", f"/status?token={token}"),
                         ("POST", f"/conversations/behind-proxy/execute?token={token}"), ("GET", "/webhooks/rest/")):
        status, text = request(method, proxy + path, b"{}" if method == "POST" else None, {"Content-Type": "application/json"})
        assert status == 404 and not any(fact in text for fact in FACTS), path
    # The channels and the web chat are.
    status, text = post_json(f"{proxy}/webhooks/rest/webhook", {"sender": "via-proxy", "message": "xin chào"})
    assert status == 200 and "trợ lý ảo" in joined(json.loads(text))
    assert request("GET", f"{proxy}/socket.io/?EIO=4&transport=polling", headers={"Origin": live["web"]})[0] == 200
    assert request("GET", f"{proxy}/")[0] == 200 and request("GET", f"{proxy}/widget.js")[0] == 200
    assert request("POST", f"{proxy}/webhooks/rest/webhook", b"x" * 100_000, {"Content-Type": "application/json"})[0] == 413
