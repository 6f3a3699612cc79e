"""The web chat in a real browser (Debian's Chromium, headless, driven by Playwright) against the
real running stack: Rasa, the action server and the web server, all on 127.0.0.1."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_server import ROOT, Stack, free_port, wait_until_up

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "tests" / "output" / "screenshots"
if not CHROMIUM:
    if os.environ.get("CI"):
        pytest.fail("chromium is missing: .ci/run installs Debian's chromium", pytrace=False)
    pytest.skip("chromium not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from bot.sessions import conversation_for  # noqa: E402
from bot.web.store import WebStore  # noqa: E402

PROCESSING = "000.00.20.H37-260113-9004"  # demo dossier, phone ending 0004
BANNER = "Hệ thống bảo trì từ 22:00 đến 23:00 hôm nay"
HOSTILE_RECORD = """code: '9.000001'
name: Cấp phép bắn pháo hoa <img src=x onerror="window.pwned=1"><script>window.pwned=2</script>
field: Thử nghiệm an toàn
levels:
- provincial
agency: <a href="javascript:window.pwned=3">Sở Thử nghiệm</a> javascript:window.pwned=4
steps:
- Bước một <b onmouseover="window.pwned=5">in đậm</b>
source_url: https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=9.000001
checked: 2026-11-27
"""


@pytest.fixture(scope="module")
def site(model_path, tmp_path_factory):
    """Rasa, actions and the web server started as `make run` does; yields the page URL."""
    workdir = tmp_path_factory.mktemp("web")
    web_port = free_port()
    stack = Stack(model_path, workdir)
    stack.env["WEB_PORT"] = str(web_port)
    stack.env["RASA_PORT"] = str(stack.rasa_port)
    # The page's settings: an emergency banner, and a centre that is always closed (call-back form).
    settings = workdir / "settings"
    shutil.copytree(ROOT / "settings", settings)
    centre = (settings / "service_centre.yml").read_text("utf-8").split("office_hours:")[0]
    (settings / "service_centre.yml").write_text(centre + "office_hours: {}\n", "utf-8")
    (settings / "web.yml").write_text(
        (settings / "web.yml").read_text("utf-8").replace('emergency_banner: ""', f'emergency_banner: "{BANNER}"'), "utf-8")
    # The catalogue plus one record whose texts carry markup and javascript: links.
    catalogue = workdir / "procedures"
    shutil.copytree(ROOT / "data" / "procedures", catalogue, ignore=shutil.ignore_patterns("README*"))
    (catalogue / "9.000001.yml").write_text(HOSTILE_RECORD, "utf-8")
    stack.env["PROCEDURES_PATH"] = str(catalogue)
    web = None
    try:
        stack.start_actions()
        stack.start_rasa()
        web = subprocess.Popen([sys.executable, "-m", "bot.web.server", "--port", str(web_port)], cwd=ROOT,
                               env=dict(stack.env, SETTINGS_DIR=str(settings)),
                               stdout=open(workdir / "web.log", "ab"), stderr=subprocess.STDOUT)
        wait_until_up(f"http://127.0.0.1:{web_port}/api/config", web)
        yield {"url": f"http://127.0.0.1:{web_port}/", "store": WebStore(stack.env["ASSISTANT_DB_URL"]), "stack": stack}
    finally:
        if web and web.poll() is None:
            web.terminate()
            web.wait(timeout=30)
        stack.stop()


def stored_as(site, session: str) -> str:
    """The conversation id the server stores for the browser's session id."""
    return conversation_for(session, site["stack"].env["WEB_SESSION_SECRET"].encode())


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


SHADOW = "document.querySelector('#lsa-chat-host').shadowRoot"


class AssistantReplies:
    """What the assistant sent to one page, read off the wire: socket.io frames and the REST relay."""

    def __init__(self, page):
        self.events = []
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))
        page.on("response", self._response)

    def _frame(self, payload):
        if isinstance(payload, str) and payload.startswith("42"):  # engine.io message + socket.io event
            event, *data = json.loads(payload[2:])
            if event == "bot_uttered":
                self.events.append(data[0])

    def _response(self, response):
        if response.url.endswith("/api/message") and response.request.method == "POST":
            self.events.append(response)

    def replies(self):
        said = []
        for event in self.events:
            if isinstance(event, dict):
                said.append(event)
            elif event.status == 200:
                said.extend(event.json())
        return said


def assert_nothing_lost(page, replies: AssistantReplies) -> int:
    """Every reply that came in is on screen, with every one of its buttons, in order."""
    sent = [[button["title"] for button in reply.get("buttons") or reply.get("quick_replies") or []]
            for reply in replies.replies()]
    shown = page.evaluate(f"""() => [...{SHADOW}.querySelectorAll('.msg.bot:not(.local):not(.restored)')]
        .map(m => [...m.querySelectorAll('.buttons button')].map(b => b.textContent))""")
    assert shown == sent
    return sum(len(titles) for titles in sent)


def session_of(page) -> str:
    return page.evaluate("() => JSON.parse(Object.entries(sessionStorage).find(([k]) => k.endsWith(':state'))[1]).session")


def open_chat(page, url):
    page.goto(url)
    page.get_by_role("button", name="Hỏi trợ lý ảo").click()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=20_000)


def ask(page, text):
    before = page.locator(".msg.bot").count()
    page.get_by_label("Nhập câu hỏi").fill(text)
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator(".msg.bot")).to_have_count(before + 1, timeout=30_000)
    return page.locator(".msg.bot").last


def press(page, message, title):
    """Click one of the assistant's buttons on `message`; returns the reply."""
    before = page.locator(".msg.bot").count()
    message.get_by_role("button", name=title, exact=True).click()
    expect(page.locator(".msg.bot")).to_have_count(before + 1, timeout=30_000)
    return page.locator(".msg.bot").last


def menu(page, item):
    page.get_by_role("button", name="Tuỳ chọn").click()
    page.locator(".menu").get_by_role("button", name=item, exact=True).click()


TRANSPORTS = ["socket.io", "rest"]


def new_page(browser, transport, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    if transport == "rest":  # a network that blocks the socket.io client: the widget relays through the web server
        page.route("**/vendor/socket.io.min.js", lambda route: route.abort())
    return context, page


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_assistants_buttons_are_shown_and_work_on_both_transports(site, browser, transport):
    context, page = new_page(browser, transport, viewport={"width": 1280, "height": 800})
    replies = AssistantReplies(page)
    open_chat(page, site["url"])
    expect(page.locator(".lsa")).to_have_attribute("data-transport", "socket" if transport == "socket.io" else "rest")
    expect(page.locator(".status")).to_be_hidden()  # the fallback is not announced as an error

    # A choice between sibling procedures (asked what tells them apart), then the attribute
    # buttons of the chosen one.
    choice = ask(page, "làm căn cước")
    expect(choice).to_contain_text("Bạn cần đổi hoặc sửa thông tin, làm lần đầu hay làm lại vì mất, hỏng?")
    overview = press(page, choice, "Làm lần đầu")
    expect(overview).to_contain_text("Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên")
    fee = press(page, overview, "Lệ phí")
    expect(fee).to_contain_text("lệ phí")
    expect(fee.get_by_role("button", name="Thời gian", exact=True)).to_be_visible()

    # The fallback's options.
    unsure = ask(page, "xyzzy qwop blorf")
    expect(unsure.get_by_role("button", name="Không phải các ý trên")).to_be_visible()
    press(page, unsure, "Không phải các ý trên")

    # The dossier form: the greeting's button starts it, the form's own button stops it.
    greeting = page.locator(".msg.bot.local").first
    asked = press(page, greeting, "Tra cứu hồ sơ")
    expect(asked).to_contain_text("mã hồ sơ")
    stopped = press(page, asked, "Dừng tra cứu")
    expect(stopped).not_to_contain_text("mã hồ sơ in trên giấy biên nhận")
    assert assert_nothing_lost(page, replies) >= 12
    context.close()


def test_a_reply_looks_the_same_on_both_transports(site, browser):
    rendered = []
    for transport in TRANSPORTS:
        context, page = new_page(browser, transport)
        open_chat(page, site["url"])
        answer = ask(page, "đăng ký khai sinh cần giấy tờ gì")
        rendered.append(answer.evaluate("m => { const c = m.cloneNode(true); c.querySelectorAll('time').forEach(t => t.remove()); return c.innerHTML; }"))
        context.close()
    assert rendered[0] == rendered[1]
    assert "<li>" in rendered[0]  # the documents come as a real list


def test_lookup_feedback_reload_and_reading_position(site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    replies = AssistantReplies(page)
    open_chat(page, site["url"])
    greeting = page.locator(".msg.bot").first
    asked = press(page, greeting, "Tra cứu hồ sơ")
    expect(asked).to_contain_text("mã hồ sơ")
    digits = ask(page, PROCESSING)
    expect(digits).to_contain_text("4 chữ số cuối")
    answer = ask(page, "0004")
    expect(answer).to_contain_text("Trạng thái: Đang xử lý")
    expect(answer.get_by_role("button", name="Tra cứu hồ sơ khác")).to_be_visible()
    assert_nothing_lost(page, replies)

    # Thumbs up on that answer is stored with the conversation id; focus stays on the answer.
    answer.get_by_role("button", name="Hữu ích", exact=True).click()
    expect(answer.locator(".thanks")).to_be_focused()
    session = session_of(page)
    stored = site["store"].feedback_for(stored_as(site, session))
    assert stored and stored[-1]["kind"] == "thumb" and stored[-1]["value"] == 1
    assert "Đang xử lý" in stored[-1]["answer_text"]

    # A long answer opens at its start, not at its last line.
    long_answer = ask(page, "đăng ký khai sinh cần giấy tờ gì")
    log_box, answer_box = page.locator(".log").bounding_box(), long_answer.bounding_box()
    assert answer_box["height"] > log_box["height"]
    assert log_box["y"] - 1 <= answer_box["y"] <= log_box["y"] + 24

    # Reload: the conversation is back, the newest answer in view, the same session goes on.
    count = page.locator(".msg").count()
    page.reload()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=20_000)
    expect(page.locator(".msg")).to_have_count(count)
    log_box, answer_box = page.locator(".log").bounding_box(), page.locator(".msg.bot").last.bounding_box()
    assert log_box["y"] - 1 <= answer_box["y"] <= log_box["y"] + log_box["height"] - 20
    expect(ask(page, "còn lệ phí đăng ký tạm trú thì sao")).to_contain_text("tạm trú")
    assert session_of(page) == session
    # Nothing of the conversation is left in localStorage (shared by every tab and kept for ever).
    assert "Đang xử lý" not in page.evaluate("() => JSON.stringify(localStorage)")
    context.close()


def test_kiosk_privacy_per_tab_expiry_and_new_conversation(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.clock.install()
    open_chat(page, site["url"])
    press(page, page.locator(".msg.bot").first, "Tra cứu hồ sơ")
    ask(page, PROCESSING)
    expect(ask(page, "0004")).to_contain_text("Trạng thái: Đang xử lý")
    first_session = session_of(page)

    # Another tab of the same browser starts its own conversation.
    other = context.new_page()
    open_chat(other, site["url"])
    expect(other.locator(".msg")).to_have_count(1)
    assert session_of(other) != first_session
    other.close()

    # The citizen walks away: after 30 idle minutes the screen and the storage are cleared.
    page.clock.fast_forward("31:00")
    expect(page.locator(".log")).not_to_contain_text("Đang xử lý", timeout=20_000)
    expect(page.locator(".msg")).to_have_count(1)
    expect(page.locator(".status")).to_contain_text("lâu không sử dụng")
    assert "Đang xử lý" not in page.evaluate("() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=30_000)
    assert session_of(page) != first_session

    # Expired in storage while the tab was closed or asleep: not redrawn on load either.
    press(page, page.locator(".msg.bot").first, "Tra cứu hồ sơ")
    ask(page, PROCESSING)
    expect(ask(page, "0004")).to_contain_text("Trạng thái: Đang xử lý")
    page.evaluate("""() => { const [k, v] = Object.entries(sessionStorage).find(([k]) => k.endsWith(':state'));
        const s = JSON.parse(v); s.active -= 31 * 60000; sessionStorage.setItem(k, JSON.stringify(s)); }""")
    page.reload()
    launcher = page.get_by_role("button", name="Hỏi trợ lý ảo")
    expect(launcher).to_be_visible()  # a fresh start: closed, as for a new visitor
    assert "Đang xử lý" not in page.evaluate(f"() => {SHADOW}.textContent")
    launcher.click()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=20_000)
    expect(page.locator(".msg")).to_have_count(1)

    # "Cuộc trò chuyện mới" forgets the screen and the Rasa conversation: the digits asked for
    # before no longer open the dossier.
    press(page, page.locator(".msg.bot").first, "Tra cứu hồ sơ")
    expect(ask(page, PROCESSING)).to_contain_text("4 chữ số cuối")
    before = session_of(page)
    menu(page, "Cuộc trò chuyện mới")
    expect(page.locator(".msg")).to_have_count(1)
    expect(page.get_by_label("Nhập câu hỏi")).to_be_focused()
    page.wait_for_function("s => JSON.parse(Object.entries(sessionStorage).find(([k]) => k.endsWith(':state'))[1]).session !== s", arg=before)
    expect(ask(page, "0004")).not_to_contain_text("Trạng thái")
    assert PROCESSING not in page.evaluate("() => JSON.stringify(sessionStorage)")
    context.close()


def test_nothing_of_a_forgotten_conversation_comes_back(site, browser):
    """An answer still on its way, and a new conversation asked for while the server is unreachable."""
    context, page = new_page(browser, "rest")
    open_chat(page, site["url"])
    press(page, page.locator(".msg.bot").first, "Tra cứu hồ sơ")
    ask(page, PROCESSING)
    held = []
    page.route("**/api/message", lambda route: held.append(route))
    page.get_by_label("Nhập câu hỏi").fill("0004")
    page.keyboard.press("Enter")
    page.wait_for_function("() => true")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    menu(page, "Cuộc trò chuyện mới")
    expect(page.locator(".msg")).to_have_count(1)
    page.unroute("**/api/message")
    held[0].continue_()  # the dossier's answer arrives after the citizen started over
    page.wait_for_timeout(1500)
    expect(page.locator(".log")).not_to_contain_text("Trạng thái")
    assert "Trạng thái" not in page.evaluate("() => JSON.stringify(sessionStorage)")

    # Started over with the server out of reach: nothing is sent in the old conversation.
    press(page, page.locator(".msg.bot").first, "Tra cứu hồ sơ")
    expect(ask(page, PROCESSING)).to_contain_text("4 chữ số cuối")
    page.route("**/api/config", lambda route: route.abort())
    menu(page, "Cuộc trò chuyện mới")
    expect(page.get_by_role("button", name="Thử lại ngay")).to_be_visible()
    page.get_by_label("Nhập câu hỏi").fill("0004")
    page.keyboard.press("Enter")
    expect(page.locator(".msg")).to_have_count(1)
    expect(page.get_by_label("Nhập câu hỏi")).to_have_value("0004")
    page.unroute("**/api/config")
    page.get_by_role("button", name="Thử lại ngay").click()
    expect(page.locator(".status")).to_contain_text("Đã bắt đầu cuộc trò chuyện mới")
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator(".msg.bot").last).not_to_contain_text("Trạng thái", timeout=30_000)
    expect(page.locator(".msg.bot")).to_have_count(2, timeout=30_000)
    expect(page.locator(".msg.bot").last).not_to_contain_text("Trạng thái")
    context.close()


def test_a_double_click_sends_once(site, browser):
    context = browser.new_context()
    page = context.new_page()
    open_chat(page, site["url"])
    page.locator(".msg.bot").first.get_by_role("button", name="Đăng ký khai sinh").dblclick()
    expect(page.locator(".msg.bot")).to_have_count(2, timeout=30_000)
    page.wait_for_timeout(1500)
    expect(page.locator(".msg.user")).to_have_count(1)
    expect(page.locator(".msg.bot")).to_have_count(2)
    context.close()


def test_unread_marker_while_minimised(site, browser):
    context = browser.new_context()
    page = context.new_page()
    open_chat(page, site["url"])
    page.get_by_label("Nhập câu hỏi").fill("lệ phí làm hộ chiếu bao nhiêu")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # minimised before the answer comes
    launcher = page.get_by_role("button", name="Hỏi trợ lý ảo, 1 tin nhắn mới")
    expect(launcher).to_be_visible(timeout=30_000)
    expect(launcher.locator(".unread")).to_have_text("1")
    launcher.click()
    expect(page.get_by_role("button", name="Hỏi trợ lý ảo", exact=True)).to_be_hidden()
    expect(page.locator(".msg.bot").last).to_contain_text("hộ chiếu")
    page.get_by_role("button", name="Thu nhỏ cửa sổ chat").click()
    expect(page.get_by_role("button", name="Hỏi trợ lý ảo", exact=True)).to_be_visible()
    context.close()


def test_phone_layout_and_markup_is_never_run(site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    open_chat(page, site["url"])
    box = page.locator(".panel").bounding_box()
    assert box["width"] <= 360 and box["x"] >= 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    expect(ask(page, "đăng ký khai sinh cần giấy tờ gì")).to_contain_text("khai sinh")
    ask(page, '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> javascript:alert(1)')
    assert page.evaluate("() => window.pwned") is None
    assert page.locator(".msg.user img, .msg.user script").count() == 0
    # The counter shows near the limit; over it, nothing can be sent.
    page.get_by_label("Nhập câu hỏi").fill("x" * 100)
    expect(page.locator(".counter")).to_be_hidden()
    page.get_by_label("Nhập câu hỏi").fill("x" * 501)
    expect(page.locator(".counter")).to_have_text("501/500")
    expect(page.get_by_role("button", name="Gửi", exact=True)).to_be_disabled()
    context.close()


def test_banner_contacts_call_back_and_rating_sheets_are_modal(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    open_chat(page, site["url"])
    expect(page.get_by_role("alert")).to_have_text(BANNER)
    session = session_of(page)

    # "Gặp cán bộ" outside office hours: hours, a hotline to call, and a call-back form.
    menu(page, "Gặp cán bộ")
    contact = page.get_by_role("dialog", name="Gặp cán bộ")
    expect(contact.get_by_role("link", name="1800 1096")).to_have_attribute("href", "tel:18001096")
    expect(contact).to_contain_text("ngoài giờ làm việc")
    # Modal: Tab never leaves the sheet; Escape closes the sheet (not the chat) and focus returns.
    for _ in range(12):
        page.keyboard.press("Tab")
        assert page.evaluate(f"() => !!{SHADOW}.activeElement && !!{SHADOW}.activeElement.closest('[role=dialog]')")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(f"() => !!{SHADOW}.activeElement.closest('[role=dialog]')")
    page.keyboard.press("Escape")
    expect(contact).to_be_hidden()
    expect(page.locator(".panel")).to_be_visible()
    expect(page.get_by_role("button", name="Tuỳ chọn")).to_be_focused()

    menu(page, "Gặp cán bộ")
    contact.get_by_label("Số điện thoại").fill("0912")
    contact.get_by_label("Câu hỏi").fill("Tôi cần hỏi về hồ sơ đất đai")
    contact.get_by_role("button", name="Gửi yêu cầu gọi lại").click()
    expect(contact.get_by_role("status")).to_contain_text("Số điện thoại chưa đúng")
    contact.get_by_label("Số điện thoại").fill("0912 345 678")
    contact.get_by_role("button", name="Gửi yêu cầu gọi lại").click()
    expect(contact.get_by_role("status")).to_contain_text("gọi lại")
    assert [(c["conversation_id"], c["phone"]) for c in site["store"].callbacks_waiting()] == [(stored_as(site, session), "0912345678")]
    contact.get_by_role("button", name="Đóng").click()
    expect(page.get_by_role("button", name="Tuỳ chọn")).to_be_focused()

    # The rating: five numbered, worded choices; the chosen one shows.
    menu(page, "Đánh giá trợ lý")
    rating = page.get_by_role("dialog", name="Đánh giá cuộc trò chuyện")
    for number, word in enumerate(["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"], 1):
        expect(rating.get_by_label(f"{number} {word}", exact=True)).to_be_visible()
    rating.get_by_label("4 Hài lòng", exact=True).check()
    chosen = rating.locator(".grade").nth(3)
    assert chosen.evaluate("l => getComputedStyle(l).backgroundColor") != rating.locator(".grade").nth(2).evaluate("l => getComputedStyle(l).backgroundColor")
    rating.get_by_label("Góp ý thêm (không bắt buộc)").fill("Trả lời nhanh")
    rating.get_by_role("button", name="Gửi đánh giá").click()
    expect(rating.get_by_role("status")).to_contain_text("Cảm ơn")
    assert [(f["kind"], f["value"], f["comment"]) for f in site["store"].feedback_for(stored_as(site, session))] == [("rating", 4, "Trả lời nhanh")]
    page.keyboard.press("Escape")
    expect(rating).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.locator(".panel")).to_be_hidden()
    context.close()


def test_a_dropped_connection_always_leaves_something_to_do(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.clock.install()
    open_chat(page, site["url"])
    # No answer within 20 s: the question is back in the box; the answer that then arrives clears it all.
    page.get_by_label("Nhập câu hỏi").fill("xin chào")
    page.get_by_role("button", name="Gửi", exact=True).click()
    page.clock.fast_forward(21_000)
    expect(page.locator(".msg.bot").last).to_contain_text("Xin chào", timeout=30_000)
    expect(page.locator(".status")).to_be_hidden()
    expect(page.get_by_label("Nhập câu hỏi")).to_have_value("")

    # The assistant goes away: a notice with a button; the typed text stays; it comes back by itself.
    stack = site["stack"]
    stack.stop_rasa()
    try:
        expect(page.locator(".status")).to_contain_text("Mất kết nối", timeout=20_000)
        expect(page.get_by_role("button", name="Thử lại ngay")).to_be_visible()
        page.get_by_label("Nhập câu hỏi").fill("thủ tục đăng ký tạm trú")
        page.get_by_role("button", name="Gửi", exact=True).click()
        expect(page.get_by_label("Nhập câu hỏi")).to_have_value("thủ tục đăng ký tạm trú", timeout=20_000)
        expect(page.get_by_role("button", name="Gửi lại")).to_be_visible()
        page.get_by_role("button", name="Gửi lại").click()  # still down: still a button to press
        expect(page.get_by_role("button", name="Gửi lại")).to_be_visible(timeout=20_000)
    finally:
        stack.start_rasa()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=60_000)
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator(".msg.bot").last).to_contain_text("tạm trú", timeout=30_000)
    expect(page.locator(".status")).to_be_hidden()
    context.close()


def test_without_socket_io_the_chat_falls_back_to_rest(site, browser):
    context, page = new_page(browser, "rest")
    open_chat(page, site["url"])
    expect(ask(page, "lệ phí làm hộ chiếu bao nhiêu")).to_contain_text("hộ chiếu")
    expect(page.locator(".status")).to_be_hidden()
    context.close()


def test_keyboard_only(site, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site["url"])
    launcher = page.get_by_role("button", name="Hỏi trợ lý ảo")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Nhập câu hỏi")).to_be_focused()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=20_000)
    before = page.locator(".msg.bot").count()
    page.keyboard.type("xin chào")
    page.keyboard.press("Enter")  # Enter sends; Shift+Enter would add a line
    expect(page.locator(".msg.bot")).to_have_count(before + 1, timeout=30_000)
    page.keyboard.press("Shift+Tab")  # from the input back into the conversation: the last answer's thumbs
    expect(page.locator(".msg.bot").last.get_by_role("button", name="Chưa hữu ích")).to_be_focused()
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()
    context.close()


def test_markup_in_a_procedure_answer_is_shown_as_text_never_run(site, browser):
    context = browser.new_context()
    page = context.new_page()
    open_chat(page, site["url"])
    answer = ask(page, "cơ quan nào cấp phép bắn pháo hoa")
    expect(answer).to_contain_text("<script>window.pwned=2</script>")  # shown, as text
    expect(answer).to_contain_text("Sở Thử nghiệm")
    answer.hover()
    assert page.evaluate("() => window.pwned") is None
    assert answer.locator("img, script, b").count() == 0
    hrefs = answer.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(href.startswith("https://") for href in hrefs)
    context.close()


AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
PICTURES = Path(os.environ.get("WEB_SCREENSHOTS_DIR") or SCREENSHOTS)
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 768}}


def audit(page, state: str):
    """axe-core on the page and the widget (its shadow root included): WCAG 2.x A and AA."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}, resultTypes: ['violations']})""")
    problems = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == [], f"{state}: {problems}"


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_every_state_passes_the_accessibility_audit(site, browser, device):
    """Closed, open, a conversation with buttons and a list, the menu, each sheet, a lost
    connection; at 360 px the pictures of the README (`make screenshots`) are taken here."""
    context = browser.new_context(bypass_csp=True, **(PHONE if device == "phone" else DESKTOP))
    page = context.new_page()
    replies = AssistantReplies(page)
    states = []
    network = {"down": False, "open": []}

    def through(socket):
        if network["down"]:
            socket.close()
        else:
            socket.connect_to_server()
            network["open"].append(socket)

    page.route_web_socket(re.compile(r"/socket\.io/"), through)

    def check(state):
        audit(page, state)
        states.append(state)
        if device == "phone":
            PICTURES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(PICTURES / f"{len(states)}-{state}.png"))

    page.goto(site["url"])
    expect(page.get_by_role("button", name="Hỏi trợ lý ảo")).to_be_visible()
    check("closed")
    page.get_by_role("button", name="Hỏi trợ lý ảo").click()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=20_000)
    check("open")
    overview = ask(page, "thủ tục đổi giấy phép lái xe")
    expect(overview.get_by_role("button", name="Lệ phí", exact=True)).to_be_visible()
    check("answer-with-buttons")
    documents = ask(page, "đăng ký khai sinh cần giấy tờ gì")
    expect(documents.locator("li").first).to_be_visible()
    check("answer-with-list")
    page.get_by_role("button", name="Tuỳ chọn").click()
    check("menu")
    page.locator(".menu").get_by_role("button", name="Gặp cán bộ", exact=True).click()
    expect(page.get_by_role("dialog", name="Gặp cán bộ")).to_be_visible()
    check("contact")
    page.keyboard.press("Escape")
    menu(page, "Đánh giá trợ lý")
    page.get_by_label("5 Rất hài lòng").check()
    check("rating")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Tuỳ chọn").click()
    page.get_by_role("button", name="Chữ to hơn").click()
    page.get_by_role("button", name="Chữ to hơn").click()
    page.keyboard.press("Escape")
    check("larger-text")
    page.get_by_role("button", name="Tuỳ chọn").click()
    page.get_by_role("button", name="Chữ nhỏ hơn").click()
    page.get_by_role("button", name="Chữ nhỏ hơn").click()
    page.keyboard.press("Escape")
    assert_nothing_lost(page, replies)
    # A lost connection (the socket closed and refused, as a proxy would), shown without stopping the assistant.
    network["down"] = True
    for socket in network["open"]:
        socket.close()
    expect(page.get_by_role("button", name="Thử lại ngay")).to_be_visible(timeout=20_000)
    check("connection-lost")
    network["down"] = False
    page.get_by_role("button", name="Thử lại ngay").click()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=30_000)
    expect(page.locator(".status")).to_be_hidden()
    context.close()
    assert len(states) == 9


def test_targets_text_size_and_a_growing_input(site, browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    open_chat(page, site["url"])
    answer = ask(page, "thủ tục đổi giấy phép lái xe")
    page.get_by_role("button", name="Tuỳ chọn").click()
    small = page.evaluate(f"""() => [...{SHADOW}.querySelectorAll('button, .grade')]
        .filter(b => b.getClientRects().length)
        .map(b => [b.textContent || b.getAttribute('aria-label'), b.getBoundingClientRect()])
        .filter(([, r]) => r.width < 44 || r.height < 44).map(([name, r]) => [name, r.width, r.height])""")
    assert small == []
    tiny = page.evaluate(f"""() => {{
        const out = [];
        const walk = (node) => {{
            for (const child of node.childNodes) {{
                if (child.nodeType === 3 && child.textContent.trim() && child.parentElement.getClientRects().length
                    && !child.parentElement.closest('.sr-only')) {{
                    const size = parseFloat(getComputedStyle(child.parentElement).fontSize);
                    if (size < 14) out.push([child.textContent.trim().slice(0, 30), size]);
                }} else if (child.nodeType === 1) walk(child);
            }}
        }};
        walk({SHADOW});
        return out;
    }}""")
    assert tiny == []
    # The text-size control makes the conversation larger, and remembers it.
    size = lambda: answer.evaluate("m => parseFloat(getComputedStyle(m).fontSize)")  # noqa: E731
    before = size()
    page.get_by_role("button", name="Chữ to hơn").click()
    assert size() > before
    page.reload()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=20_000)
    assert page.locator(".msg.bot").last.evaluate("m => parseFloat(getComputedStyle(m).fontSize)") > before
    page.get_by_role("button", name="Tuỳ chọn").click()
    page.get_by_role("button", name="Chữ nhỏ hơn").click()
    page.keyboard.press("Escape")
    # The input grows with the text.
    box = page.get_by_label("Nhập câu hỏi")
    height = box.bounding_box()["height"]
    box.fill("Tôi muốn hỏi\nvề việc đăng ký\nkhai sinh cho con")
    assert box.bounding_box()["height"] > height + 20
    context.close()


@pytest.mark.parametrize("zoom", [2, 4])
def test_usable_at_high_zoom(site, browser, zoom):
    # The browser zoomed on a 1366x768 screen: the page lays out in a viewport that much smaller.
    width, height = round(1366 / zoom), round(768 / zoom)
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=zoom)
    page = context.new_page()
    open_chat(page, site["url"])
    expect(ask(page, "lệ phí làm hộ chiếu bao nhiêu")).to_contain_text("hộ chiếu")
    log = page.locator(".log").bounding_box()
    print(f"zoom {zoom * 100} %: messages {log['height']:.0f} of {height} px ({log['height'] / height:.0%})")
    assert log["height"] >= 0.4 * height, (log["height"], height)
    assert page.locator(".panel").bounding_box()["width"] <= width
    expect(page.get_by_role("button", name="Gửi", exact=True)).to_be_in_viewport()
    expect(page.get_by_role("button", name="Tuỳ chọn")).to_be_in_viewport()
    if zoom == 4:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "zoom-400.png"))
    context.close()


def test_forced_colours_keep_every_edge(site, browser):
    context = browser.new_context(forced_colors="active", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(site["url"])
    edge = lambda locator: locator.evaluate(  # noqa: E731
        "n => { const s = getComputedStyle(n); return [s.borderTopStyle, parseFloat(s.borderTopWidth)]; }")
    launcher = page.get_by_role("button", name="Hỏi trợ lý ảo")
    assert edge(launcher)[0] != "none" and edge(launcher)[1] >= 1
    launcher.click()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=20_000)
    for locator in (page.locator(".panel"), page.get_by_role("button", name="Gửi", exact=True), page.locator(".msg.bot").first):
        style, width = edge(locator)
        assert style != "none" and width >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "forced-colours.png"))
    context.close()


def test_links_lists_and_phone_numbers_in_answers(site, browser):
    context = browser.new_context()
    page = context.new_page()
    open_chat(page, site["url"])
    answer = ask(page, "tôi muốn gặp cán bộ")
    expect(answer.locator("li").first).to_be_visible()
    expect(answer.get_by_role("link", name="1800 1096")).to_have_attribute("href", "tel:18001096")
    source = ask(page, "đăng ký khai sinh cần giấy tờ gì").locator("a[href^='https://']").last
    href, shown = source.get_attribute("href"), source.evaluate("a => a.firstChild.textContent")
    assert len(href) > len(shown) and len(shown) <= 48
    times = page.locator(".msg .at").all_inner_texts()
    assert times and all(len(t) == 5 and t[2] == ":" for t in times)
    context.close()
