"""The web chat in a real browser (Debian's Chromium, headless, driven by Playwright) against the
real running stack: Rasa, the action server and the web server, all on 127.0.0.1."""
import os
import shutil
import subprocess
import sys

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


def test_questions_buttons_lookup_feedback_and_reload(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    open_chat(page, site["url"])
    greeting = page.locator(".msg.bot").first
    expect(greeting.get_by_role("button", name="Tra cứu hồ sơ")).to_be_visible()

    expect(ask(page, "lệ phí làm hộ chiếu bao nhiêu")).to_contain_text("hộ chiếu")
    expect(ask(page, "dang ky tam tru can giay to gi")).to_contain_text("Đăng ký tạm trú")

    # A button of the greeting starts the dossier lookup.
    before = page.locator(".msg.bot").count()
    greeting.get_by_role("button", name="Tra cứu hồ sơ").click()
    expect(page.locator(".msg.bot")).to_have_count(before + 1, timeout=30_000)
    expect(page.locator(".msg.bot").last).to_contain_text("mã hồ sơ")
    asked = ask(page, PROCESSING)
    expect(asked).to_contain_text("4 chữ số cuối")
    # The assistant's own buttons arrive over socket.io (as quick_replies) and are shown.
    expect(asked.get_by_role("button", name="Dừng tra cứu")).to_be_visible()
    answer = ask(page, "0004")
    expect(answer).to_contain_text("Trạng thái: Đang xử lý")
    expect(answer.get_by_role("button", name="Tra cứu hồ sơ khác")).to_be_visible()

    # Thumbs up on that answer is stored with the conversation id.
    answer.get_by_role("button", name="Hữu ích", exact=True).click()
    expect(answer).to_contain_text("Cảm ơn bạn đã đánh giá")
    session = page.evaluate("() => Object.entries(localStorage).find(([k]) => k.endsWith(':session'))[1]")
    stored = site["store"].feedback_for(stored_as(site, session))
    assert stored and stored[-1]["kind"] == "thumb" and stored[-1]["value"] == 1
    assert "Đang xử lý" in stored[-1]["answer_text"]

    # Reload: the conversation is still there and continues in the same session.
    count = page.locator(".msg").count()
    page.reload()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=20_000)
    expect(page.locator(".msg")).to_have_count(count)
    expect(ask(page, "còn lệ phí đăng ký tạm trú thì sao")).to_contain_text("tạm trú")
    assert page.evaluate("() => Object.entries(localStorage).find(([k]) => k.endsWith(':session'))[1]") == session
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desktop.png"))
    context.close()


def test_phone_layout_and_markup_is_never_run(site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    open_chat(page, site["url"])
    box = page.locator(".panel").bounding_box()
    assert box["width"] <= 360 and box["x"] >= 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    expect(ask(page, "đăng ký khai sinh cần giấy tờ gì")).to_contain_text("khai sinh")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-360.png"))
    ask(page, '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> javascript:alert(1)')
    assert page.evaluate("() => window.pwned") is None
    assert page.locator(".msg.user img, .msg.user script").count() == 0
    # The counter and the limit.
    page.get_by_label("Nhập câu hỏi").fill("x" * 501)
    expect(page.locator(".counter")).to_have_text("501/500")
    expect(page.get_by_role("button", name="Gửi", exact=True)).to_be_disabled()
    context.close()


def test_banner_contacts_call_back_rating_and_a_dropped_connection(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    open_chat(page, site["url"])
    expect(page.get_by_role("alert")).to_have_text(BANNER)
    session = page.evaluate("() => Object.entries(localStorage).find(([k]) => k.endsWith(':session'))[1]")

    # "Gặp cán bộ" outside office hours: hours, hotline and a call-back form.
    page.get_by_role("button", name="Gặp cán bộ", exact=True).first.click()
    contact = page.get_by_role("dialog", name="Gặp cán bộ")
    expect(contact).to_contain_text("1800 1096")
    expect(contact).to_contain_text("ngoài giờ làm việc")
    contact.get_by_label("Số điện thoại").fill("0912")
    contact.get_by_label("Câu hỏi").fill("Tôi cần hỏi về hồ sơ đất đai")
    contact.get_by_role("button", name="Gửi yêu cầu gọi lại").click()
    expect(contact.get_by_role("status")).to_contain_text("Số điện thoại chưa đúng")
    contact.get_by_label("Số điện thoại").fill("0912 345 678")
    contact.get_by_role("button", name="Gửi yêu cầu gọi lại").click()
    expect(contact.get_by_role("status")).to_contain_text("gọi lại")
    assert [(c["conversation_id"], c["phone"]) for c in site["store"].callbacks_waiting()] == [(stored_as(site, session), "0912345678")]
    contact.get_by_role("button", name="Đóng").click()

    # The rating at the end.
    page.get_by_role("button", name="Đánh giá", exact=True).click()
    rating = page.get_by_role("dialog", name="Đánh giá cuộc trò chuyện")
    rating.get_by_label("4 trên 5 sao").check()
    rating.get_by_label("Góp ý thêm (không bắt buộc)").fill("Trả lời nhanh")
    rating.get_by_role("button", name="Gửi đánh giá").click()
    expect(rating.get_by_role("status")).to_contain_text("Cảm ơn")
    assert [(f["kind"], f["value"], f["comment"]) for f in site["store"].feedback_for(stored_as(site, session))] == [("rating", 4, "Trả lời nhanh")]
    rating.get_by_role("button", name="Đóng").click()

    # The assistant goes away: a clear notice; the typed text stays; back, and it answers again.
    stack = site["stack"]
    stack.stop_rasa()
    expect(page.locator(".status")).to_contain_text("Mất kết nối", timeout=20_000)
    expect(page.get_by_role("button", name="Thử lại")).to_be_visible()
    page.get_by_label("Nhập câu hỏi").fill("xin chào")
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.get_by_label("Nhập câu hỏi")).to_have_value("xin chào")
    stack.start_rasa()
    page.get_by_role("button", name="Thử lại").click()
    expect(page.locator(".lsa")).to_have_attribute("data-state", "ready", timeout=30_000)
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator(".msg.bot").last).to_contain_text("Xin chào", timeout=30_000)
    context.close()


def test_without_socket_io_the_chat_falls_back_to_rest(site, browser):
    context = browser.new_context()
    page = context.new_page()
    # A network that blocks the socket.io client: the widget relays through the web server.
    page.route("**/vendor/socket.io.min.js", lambda route: route.abort())
    open_chat(page, site["url"])
    expect(ask(page, "lệ phí làm hộ chiếu bao nhiêu")).to_contain_text("hộ chiếu")
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
