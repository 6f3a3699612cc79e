"""End to end: the real Rasa server and action server on 127.0.0.1, as `make run` starts them.

Checks the REST channel, that custom actions are reached, and that a conversation survives a
restart of the Rasa server (SQL tracker store on an SQLite file).
"""
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, payload=None, timeout: float = 30):
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode() or "null")


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            http("GET", url, timeout=2)
            return
        except OSError:
            time.sleep(1)
    raise TimeoutError(url)


class Stack:
    """The action server and the Rasa server, started like scripts/run.sh does."""

    def __init__(self, model_path: Path, workdir: Path):
        self.model_path = model_path
        self.workdir = workdir
        self.rasa_port = free_port()
        self.actions_port = free_port()
        self.env = dict(
            os.environ,
            SANIC_HOST="127.0.0.1",
            ACTIONS_PORT=str(self.actions_port),
            TRACKER_STORE_URL=f"sqlite:///{workdir / 'tracker.db'}",
            # The fictitious demo dossiers, as `make run` seeds them.
            ONESTOP_DB_URL=f"sqlite:///{workdir / 'onestop.db'}",
            ASSISTANT_DB_URL=f"sqlite:///{workdir / 'assistant.db'}",
            # The secrets scripts/secrets.sh makes for `make run`, fresh for each stack.
            RASA_AUTH_TOKEN=secrets.token_hex(16),
            ACTION_SERVER_TOKEN=secrets.token_hex(16),
            ASSISTANT_SECRET=secrets.token_hex(16),
            WEB_SESSION_SECRET=secrets.token_hex(16),
            SANIC_REQUEST_MAX_SIZE="4000000",
            MAX_MESSAGE_CHARS="1000",
        )
        self.env.pop("ONESTOP_API_URL", None)
        subprocess.run([sys.executable, "-m", "actions.onestop", "seed-demo"], cwd=ROOT, env=self.env, check=True)
        self.actions = None
        self.rasa = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def action_server(self, port: int, log: str = "actions.log") -> subprocess.Popen:
        """One action server (a replica when called again with another port)."""
        process = subprocess.Popen(
            [sys.executable, "-m", "actions.server", "--port", str(port)],
            cwd=ROOT, env=self.env, stdout=open(self.workdir / log, "ab"), stderr=subprocess.STDOUT,
        )
        wait_until_up(f"http://127.0.0.1:{port}/health", process)
        return process

    def start_actions(self) -> None:
        self.actions = self.action_server(self.actions_port)

    def start_rasa(self) -> None:
        self.rasa = subprocess.Popen(
            [str(BIN / "rasa"), "run", "--enable-api", "--auth-token", self.env["RASA_AUTH_TOKEN"],
             "-i", "127.0.0.1", "-p", str(self.rasa_port), "--model", str(self.model_path),
             "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
            cwd=ROOT, env=self.env, stdout=open(self.workdir / "rasa.log", "ab"),
            stderr=subprocess.STDOUT,
        )
        wait_until_up(f"{self.url}/status?token={self.env['RASA_AUTH_TOKEN']}", self.rasa)

    def tracker(self, sender: str):
        """A conversation read through Rasa's HTTP API, as an operator with the token."""
        return http("GET", f"{self.url}/conversations/{sender}/tracker?token={self.env['RASA_AUTH_TOKEN']}")

    def stop_rasa(self) -> None:
        self.rasa.terminate()
        self.rasa.wait(timeout=60)

    def stop(self) -> None:
        for process in (self.rasa, self.actions):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=60)

    def say(self, sender: str, text: str):
        return http("POST", f"{self.url}/webhooks/rest/webhook",
                    {"sender": sender, "message": text}, timeout=60)


@pytest.fixture(scope="module")
def stack(model_path, tmp_path_factory):
    running = Stack(model_path, tmp_path_factory.mktemp("stack"))
    try:
        running.start_actions()
        running.start_rasa()
        yield running
    finally:
        running.stop()


def test_greeting_over_rest_has_buttons(stack):
    replies = stack.say("citizen-1", "xin chào")
    assert "trợ lý ảo" in replies[0]["text"]
    assert "/lookup_dossier" in [b["payload"] for b in replies[0]["buttons"]]


def test_custom_action_answers_from_the_settings_file(stack):
    replies = stack.say("citizen-2", "cho mình xin số tổng đài để gặp cán bộ")
    assert "Trung tâm Phục vụ hành chính công" in replies[0]["text"]


def test_picking_a_suggested_topic_answers_it(stack):
    first = stack.say("citizen-5", "qwzx plmk")
    payload = first[0]["buttons"][0]["payload"]
    answer = stack.say("citizen-5", payload)
    assert answer and answer[0]["text"] != first[0]["text"]
    assert "1800 1096" not in answer[0]["text"]


def test_unclear_message_gets_suggestions_then_the_hotline(stack):
    first = stack.say("citizen-3", "qwzx plmk")
    assert len(first[0]["buttons"]) >= 2
    assert first[0]["buttons"][-1]["payload"] == "/out_of_scope"
    second = stack.say("citizen-3", "vbnm trewq")
    assert "1800 1096" in second[0]["text"]


def test_terminal_chat_talks_to_the_running_assistant(stack):
    result = subprocess.run(
        [sys.executable, "-m", "bot.terminal_chat", "--url", f"{stack.url}/webhooks/rest/webhook"],
        input="xin chào\n3\n/thoat\n", cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert "Trợ lý: Xin chào" in result.stdout
    assert "[3] Gặp cán bộ" in result.stdout
    # Typing "3" pressed the third button: the contact details come back.
    assert "Trung tâm Phục vụ hành chính công" in result.stdout.split("[3] Gặp cán bộ", 1)[1]


def test_procedure_question_then_follow_ups_keep_the_procedure(stack):
    # Accented question: the answer names the procedure and its source.
    first = stack.say("citizen-6", "lệ phí làm hộ chiếu bao nhiêu")
    assert "hộ chiếu" in first[0]["text"].lower()
    assert "Nguồn:" in first[0]["text"]
    # Follow-ups without naming the procedure stay on it.
    second = stack.say("citizen-6", "còn thời gian giải quyết thì sao?")
    assert "hộ chiếu" in second[0]["text"].lower()
    third = stack.say("citizen-6", "nộp hồ sơ ở đâu?")
    assert "hộ chiếu" in third[0]["text"].lower()
    tracker = stack.tracker("citizen-6")
    assert tracker["slots"]["procedure_code"] == "1.001456"


def test_unaccented_question_finds_the_same_procedure(stack):
    replies = stack.say("citizen-7", "dang ky tam tru can giay to gi")
    assert "Đăng ký tạm trú" in replies[0]["text"]


def test_two_equally_likely_procedures_are_offered_then_answered(stack):
    replies = stack.say("citizen-8", "cấp lại thẻ căn cước cần giấy tờ gì")
    buttons = replies[0]["buttons"]
    assert len(buttons) >= 2
    assert all('"procedure_code"' in button["payload"] for button in buttons)
    chosen = stack.say("citizen-8", buttons[1]["payload"])
    code = json.loads(buttons[1]["payload"][buttons[1]["payload"].index("{"):])["procedure_code"]
    assert "căn cước" in chosen[0]["text"].lower()
    tracker = stack.tracker("citizen-8")
    assert tracker["slots"]["procedure_code"] == code


def test_browsing_a_field(stack):
    replies = stack.say("citizen-9", "có những thủ tục nào về hộ tịch")
    assert "Hộ tịch" in replies[0]["text"]
    assert replies[0]["buttons"]


def test_conversation_survives_a_restart(stack):
    stack.say("citizen-4", "cảm ơn bạn")
    stack.stop_rasa()
    stack.start_rasa()
    tracker = stack.tracker("citizen-4")
    texts = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert "cảm ơn bạn" in texts


# Demo dossiers (data/onestop/demo-dossiers.json): code -> last 4 phone digits.
PROCESSING = "000.00.20.H37-260113-9004"  # 0004, "Đang xử lý"
AWAITING_DOCUMENTS = "000.00.20.H37-260109-9005"  # 0005
OVERDUE = "000.00.20.H37-251231-9011"  # 0011


def texts(replies) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def test_dossier_status_for_its_owner_only(stack):
    asked = texts(stack.say("owner-1", "cho hỏi hồ sơ 000.00.20.h37 260113 9004 đến đâu rồi ạ"))
    assert "4 chữ số cuối" in asked and PROCESSING in asked
    assert "Đang xử lý" not in asked and "Cấp đổi thẻ căn cước" not in asked
    answer = texts(stack.say("owner-1", "0004"))
    assert "Trạng thái: Đang xử lý" in answer and "Cấp đổi thẻ căn cước" in answer
    assert "Phạm T** M** H**" in answer and "Nguồn:" in answer
    tracker = stack.tracker("owner-1")
    assert tracker["slots"]["dossier_phone"] is None and tracker["active_loop"] == {}
    user_texts = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert user_texts[-1] == "****"  # the digits were never stored


def test_code_asked_then_documents_to_add_then_another_dossier(stack):
    asked = texts(stack.say("owner-2", "tôi muốn tra cứu hồ sơ đã nộp"))
    assert "mã hồ sơ" in asked.lower()
    wrong = texts(stack.say("owner-2", "000.00.20.H37-260109-905"))
    assert "định dạng" in wrong
    texts(stack.say("owner-2", AWAITING_DOCUMENTS))
    answer = texts(stack.say("owner-2", "4 số cuối là 0005"))
    assert "Yêu cầu bổ sung giấy tờ" in answer and "hợp đồng chuyển nhượng" in answer
    # Another dossier in the same conversation.
    texts(stack.say("owner-2", "/lookup_dossier"))
    texts(stack.say("owner-2", OVERDUE))
    overdue = texts(stack.say("owner-2", "0011"))
    assert "quá hạn" in overdue and "xin lỗi" in overdue


def test_wrong_phone_and_unknown_code_look_the_same(stack):
    stack.say("guess-1", f"tra cứu hồ sơ {PROCESSING}")
    wrong_phone = texts(stack.say("guess-1", "9999"))
    stack.say("guess-2", "tra cứu hồ sơ 000.00.20.H37-260113-9999")
    unknown = texts(stack.say("guess-2", "0004"))
    # The same reply, the digits asked again for the code the citizen typed.
    assert wrong_phone.replace(PROCESSING, "CODE") == unknown.replace("000.00.20.H37-260113-9999", "CODE")
    assert "chưa khớp" in wrong_phone and "4 chữ số cuối" in wrong_phone


def test_a_question_or_stop_ends_the_lookup(stack):
    stack.say("owner-3", "tra cứu hồ sơ")
    answer = texts(stack.say("owner-3", "lệ phí làm hộ chiếu bao nhiêu"))
    assert "hộ chiếu" in answer.lower()
    stack.say("owner-3", f"tra cứu hồ sơ {PROCESSING}")
    stopped = texts(stack.say("owner-3", "thôi không tra nữa"))
    assert "dừng tra cứu" in stopped
    tracker = stack.tracker("owner-3")
    assert tracker["active_loop"] == {} and tracker["slots"]["dossier_code"] is None


def test_logs_and_stored_conversations_hold_no_phone_number_or_full_name(stack):
    stack.say("owner-4", "hồ sơ 000.00.20.H37-260115-9001 của tôi sao rồi, sđt 0900 000 001")
    stack.say("owner-4", "0001")
    from actions.onestop.demo import demo_dossiers

    people = demo_dossiers()
    written = b"".join(path.read_bytes() for path in stack.workdir.iterdir()
                       if path.name in ("actions.log", "rasa.log", "tracker.db")).decode("utf-8", "replace")
    assert "000.00.20.H37-260115-9001" in written  # the conversation was stored
    for person in people:
        assert person.ChuHoSo not in written
        assert person.SoDienThoai not in written
    assert "0900 000 001" not in written


def test_the_chat_socket_accepts_only_the_configured_origins(stack):
    def handshake(origin: str) -> int:
        request = urllib.request.Request(f"{stack.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    port = stack.env.get("WEB_PORT", "8080")
    assert handshake(f"http://127.0.0.1:{port}") == 200
    assert handshake("https://evil.example") == 400


# --- the conversation's thread (actions/procedures/conversation.py, bot/policies/procedure_thread.py)


def test_a_typed_pick_among_offered_choices_answers_the_question_asked(stack):
    offered = stack.say("thread-1", "cấp lại thẻ căn cước cần giấy tờ gì")
    buttons = offered[0]["buttons"]
    assert len(buttons) >= 2
    code = json.loads(buttons[1]["payload"][buttons[1]["payload"].index("{"):])["procedure_code"]
    # A follow-up while choosing keeps the choices (asked again, not a new search).
    again = stack.say("thread-1", "mấy ngày thì có")
    assert [button["payload"].split("{")[1] for button in again[0]["buttons"]] == \
        [button["payload"].split("{")[1] for button in buttons]
    picked = stack.say("thread-1", "cái thứ hai")
    assert picked[0]["text"].startswith("Thủ tục “") and "căn cước" in picked[0]["text"].lower()
    assert "Thời gian giải quyết" in picked[0]["text"]  # the question asked with the choices
    assert stack.tracker("thread-1")["slots"]["procedure_code"] == code


def test_a_leftover_word_does_not_leave_the_procedure_and_a_sibling_is_found(stack):
    stack.say("thread-2", "đổi giấy phép lái xe")
    follow = stack.say("thread-2", "bao lâu có bằng")
    assert "Đổi giấy phép lái xe" in follow[0]["text"] and "thời gian giải quyết" in follow[0]["text"].lower()
    sibling = stack.say("thread-2", "thế còn cấp lại thì sao?")
    assert "Cấp lại giấy phép lái xe" in sibling[0]["text"]
    back = stack.say("thread-2", "quay lại cái đổi bằng lúc nãy, lệ phí bao nhiêu")
    assert "Đổi giấy phép lái xe" in back[0]["text"] and "lệ phí" in back[0]["text"].lower()
    slots = stack.tracker("thread-2")["slots"]
    assert slots["procedure_code"] == "3.000347" and slots["procedure_history"] == ["3.000348"]


def test_a_two_part_question_gets_both_parts(stack):
    reply = texts(stack.say("thread-3", "đăng ký khai sinh cần giấy tờ gì và nộp ở đâu"))
    assert "Hồ sơ" in reply and "cơ quan thực hiện" in reply.lower()


def test_a_court_matter_gets_a_pointer_not_a_procedure(stack):
    stack.say("thread-4", "đăng ký kết hôn cần gì")
    reply = texts(stack.say("thread-4", "còn ly hôn thì nộp đơn ở đâu"))
    assert "Tòa án" in reply and not reply.startswith("Thủ tục “")


def test_what_now_after_a_status_is_answered_from_that_status(stack):
    stack.say("thread-5", f"tra cứu hồ sơ {AWAITING_DOCUMENTS}")
    status = texts(stack.say("thread-5", "0005"))
    assert "Yêu cầu bổ sung giấy tờ" in status
    next_step = texts(stack.say("thread-5", "vậy giờ tôi phải làm gì tiếp theo?"))
    assert "cần bổ sung giấy tờ" in next_step and "phiếu yêu cầu bổ sung" in next_step
    context = stack.tracker("thread-5")["slots"]["dossier_context"]
    assert set(context) == {"procedure", "status", "unit", "due"}  # nothing about the owner
