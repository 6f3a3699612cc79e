/*
 * Web chat widget of the public-service assistant. Embed on any page with:
 *   <script src="https://ASSISTANT_HOST/widget.js" data-server="https://ASSISTANT_HOST" defer></script>
 * Talks to Rasa's socket.io channel and falls back, silently, to the server's REST relay when
 * socket.io cannot connect. Both transports go through one renderer, so a reply looks the same.
 *
 * Privacy on shared computers: the conversation is kept per tab (sessionStorage) unless the
 * portal opts in to localStorage, and it expires after `history.idle_minutes` without activity,
 * whether the tab stays open or not; "Cuộc trò chuyện mới" forgets it at once.
 *
 * Bot text is only ever inserted with textContent; links are built element by element and only
 * http(s) and tel: are allowed.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var SERVER = ((script && script.getAttribute("data-server")) || (script ? new URL(script.src).origin : location.origin)).replace(/\/$/, "");
  var KEY = "lsa-chat:" + SERVER;
  var STATE_KEY = KEY + ":state";
  var PREFS_KEY = KEY + ":prefs";
  var MAX_HISTORY = 60;
  var ANSWER_TIMEOUT_MS = 20000;
  var FALLBACK_AFTER_MS = 6000;
  var EXPIRY_CHECK_MS = 15000;
  var TEXT_SCALES = [1, 1.15, 1.3, 1.5];
  var LINK_CHARS = 42;

  var config = null, socket = null, state = null, storage = null;
  var connected = false, everConnected = false, useRest = false;
  var root, wrapper, launcher, unreadBadge, panel, header, bannerBox, log, input, counter, sendButton, typing, status, menu, menuButton;
  var composer, sheets = {}, openSheet = null, sheetOpener = null;
  var waitingTimer = null, fallbackTimer = null, pending = null, unread = 0, batchStart = null;
  // While a new conversation is being opened, replies still on their way for the old one are dropped.
  var switching = false, sessionTimer = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // ---- Storage: one record per conversation, in the tab unless the portal opted in to localStorage.

  function pickStorage() {
    var wanted = (config.history && config.history.storage) === "local" ? "localStorage" : "sessionStorage";
    try {
      var candidate = window[wanted];
      candidate.setItem(KEY + ":probe", "1");
      candidate.removeItem(KEY + ":probe");
      return candidate;
    } catch (e) {
      var memory = {};  // storage blocked: keep the conversation for this page only
      return { getItem: function (k) { return memory[k] || null; }, setItem: function (k, v) { memory[k] = String(v); }, removeItem: function (k) { delete memory[k]; } };
    }
  }

  function idleMs() { return Math.max(1, Number(config.history && config.history.idle_minutes) || 30) * 60000; }

  function loadState() {
    var saved = null;
    try { saved = JSON.parse(storage.getItem(STATE_KEY) || "null"); } catch (e) { saved = null; }
    if (!saved || !/^[0-9a-f]{48}$/.test(saved.session || "") || !(Date.now() - Number(saved.active) < idleMs())) {
      storage.removeItem(STATE_KEY);
      return null;
    }
    saved.items = Array.isArray(saved.items) ? saved.items : [];
    return saved;
  }

  function saveState() {
    if (!state) return;
    state.items = state.items.slice(-MAX_HISTORY);
    try { storage.setItem(STATE_KEY, JSON.stringify(state)); } catch (e) { /* storage full or blocked */ }
  }

  function touch() { if (state) { state.active = Date.now(); saveState(); } }

  // Earlier versions kept the history in localStorage without expiry: forget it.
  function forgetLegacy() {
    try { ["history", "session", "open"].forEach(function (k) { localStorage.removeItem(KEY + ":" + k); }); } catch (e) { /* blocked */ }
  }

  function loadPrefs() { try { return JSON.parse(localStorage.getItem(PREFS_KEY) || "{}") || {}; } catch (e) { return {}; } }
  function savePrefs(prefs) { try { localStorage.setItem(PREFS_KEY, JSON.stringify(prefs)); } catch (e) { /* blocked */ } }

  // ---- Text: paragraphs, real lists, clickable http(s) links (shortened) and phone numbers.

  var INLINE = /(https?:\/\/[^\s<>"')\]]+)|((?<![\d.\-\/])(?:1[89]00[ .]?\d{3,4}(?:[ .]?\d{2,3})?|(?:\+84|0)\d{2,3}[ .]?\d{3,4}[ .]?\d{3,4})(?![\d\-\/]))/g;
  var BULLET = /^\s*[-•*+–]\s+/;
  var NUMBERED = /^\s*(\d{1,2})[.)]\s+/;

  // Long addresses are shown as their site and what tells the page apart (the query or the last part).
  function shortLink(url) {
    var parsed = new URL(url);
    var shown = parsed.host + parsed.pathname.replace(/\/$/, "") + parsed.search;
    if (shown.length <= LINK_CHARS) return shown;
    if (parsed.search && parsed.host.length + parsed.search.length + 2 <= LINK_CHARS) return parsed.host + "/…" + parsed.search;
    var tail = parsed.pathname.split("/").filter(Boolean).pop() || "";
    if (tail.length > 24) tail = tail.slice(0, 23) + "…";
    return parsed.host + "/…" + (tail ? "/" + tail : "");
  }

  function appendInline(container, line) {
    var last = 0, match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(line)) !== null) {
      container.appendChild(document.createTextNode(line.slice(last, match.index)));
      var link;
      if (match[1]) {
        var url = match[1].replace(/[.,;:]+$/, "");
        var parsed = null;
        try { parsed = new URL(url); } catch (e) { parsed = null; }
        if (parsed && /^https?:$/.test(parsed.protocol)) {
          link = el("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer", title: parsed.href }, shortLink(parsed.href));
          link.appendChild(el("span", { "class": "sr-only" }, " (mở trang mới)"));
        } else {
          link = document.createTextNode(url);
        }
        last = match.index + url.length;
      } else {
        var number = match[2];
        link = el("a", { href: "tel:" + number.replace(/[ .]/g, ""), "class": "tel" }, number);
        last = match.index + number.length;
      }
      container.appendChild(link);
    }
    container.appendChild(document.createTextNode(line.slice(last)));
  }

  function appendRichText(container, text) {
    var list = null, listKind = null, paragraph = null;
    String(text || "").split("\n").forEach(function (line) {
      var bullet = BULLET.test(line), numbered = !bullet && NUMBERED.exec(line);
      var kind = bullet ? "ul" : numbered ? "ol" : null;
      if (kind) {
        paragraph = null;
        if (!list || listKind !== kind) {
          list = el(kind, {});
          listKind = kind;
          if (numbered && numbered[1] !== "1") list.setAttribute("start", numbered[1]);
          container.appendChild(list);
        }
        var item = el("li", {});
        appendInline(item, line.replace(bullet ? BULLET : NUMBERED, ""));
        list.appendChild(item);
        return;
      }
      list = null;
      if (!line.trim()) { paragraph = null; return; }
      if (!paragraph) { paragraph = el("p", {}); container.appendChild(paragraph); }
      else paragraph.appendChild(el("br"));
      appendInline(paragraph, line);
    });
  }

  // ---- Messages.

  function clock(at) {
    var when = new Date(at || Date.now());
    var hh = String(when.getHours()).padStart(2, "0"), mm = String(when.getMinutes()).padStart(2, "0");
    return el("time", { "class": "at", datetime: when.toISOString() }, hh + ":" + mm);
  }

  // What both of Rasa's channels send, in one shape: REST says "buttons" and "image",
  // socket.io says "quick_replies" and "attachment".
  function normalize(message) {
    message = message || {};
    var buttons = (message.buttons || message.quick_replies || []).filter(function (b) { return b && b.title; })
      .map(function (b) { return { title: String(b.title), payload: String(b.payload || b.title) }; });
    var image = message.image || (message.attachment && message.attachment.payload && message.attachment.payload.src);
    var text = message.text ? String(message.text) : "";
    if (image) text += (text ? "\n" : "") + String(image);
    return { from: "bot", text: text, buttons: buttons, at: message.at || Date.now(), local: !!message.local };
  }

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  // A new answer opens at its start: the first reply since the citizen spoke is kept in view.
  function scrollToAnswer() {
    if (!batchStart || panel.hidden) return;
    var top = batchStart.offsetTop - log.offsetTop - 8;
    log.scrollTop = Math.min(Math.max(top, 0), log.scrollHeight - log.clientHeight);
  }

  function renderUser(item) {
    var bubble = el("div", { "class": "msg user" });
    bubble.appendChild(el("span", { "class": "sr-only" }, "Bạn: "));
    bubble.appendChild(el("span", { "class": "text" }, item.text));
    bubble.appendChild(clock(item.at));
    log.appendChild(bubble);
    batchStart = null;
    return bubble;
  }

  function renderBot(item, restored) {
    var node = el("div", { "class": "msg bot" + (item.local ? " local" : "") + (restored ? " restored" : "") });
    node.appendChild(el("span", { "class": "sr-only" }, "Trợ lý: "));
    var body = el("div", { "class": "text" });
    appendRichText(body, item.text);
    node.appendChild(body);
    if (item.buttons.length) {
      var group = el("div", { "class": "buttons", role: "group", "aria-label": "Lựa chọn gợi ý" });
      item.buttons.forEach(function (b) {
        var button = el("button", { type: "button", "class": "choice" }, b.title);
        button.addEventListener("click", function () { send(b.payload, b.title); });
        group.appendChild(button);
      });
      node.appendChild(group);
    }
    var foot = el("div", { "class": "foot" });
    foot.appendChild(clock(item.at));
    if (item.text && !item.local) foot.appendChild(thumbs(item.text));
    node.appendChild(foot);
    log.appendChild(node);
    if (!batchStart) batchStart = node;
    return node;
  }

  function receive(message) {
    if (switching) return;
    var item = normalize(message);
    if (!item.text && !item.buttons.length) return;
    answered();
    state.items.push(item);
    touch();
    renderBot(item, false);
    scrollToAnswer();
    if (panel.hidden && !item.local) { unread += 1; state.unread = unread; saveState(); showUnread(); }
  }

  function showUnread() {
    unreadBadge.hidden = !unread;
    unreadBadge.textContent = unread ? String(unread) : "";
    launcher.setAttribute("aria-label", unread ? "Hỏi trợ lý ảo, " + unread + " tin nhắn mới" : "Hỏi trợ lý ảo");
  }

  // A thumb drawn in SVG: emoji fonts are missing on some kiosks and older phones.
  function thumbIcon(down) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("width", "20"); svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
    if (down) svg.setAttribute("transform", "rotate(180)");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  function thumbs(answerText) {
    var box = el("div", { "class": "thumbs", role: "group", "aria-label": "Câu trả lời này có hữu ích không?" });
    [[1, "up", "Hữu ích"], [-1, "down", "Chưa hữu ích"]].forEach(function (choice) {
      var button = el("button", { type: "button", "class": "thumb " + choice[1], "aria-label": choice[2], title: choice[2] });
      button.appendChild(thumbIcon(choice[1] === "down"));
      button.addEventListener("click", function () {
        postJson("/api/feedback", { conversation_id: state.session, kind: "thumb", value: choice[0], answer_text: answerText.slice(0, 2000) })
          .then(function () {
            box.textContent = "";
            // Focus stays on the spot where the citizen was, not on <body>.
            var thanks = el("span", { "class": "thanks", role: "status", tabindex: "-1" }, "Cảm ơn bạn đã đánh giá.");
            box.appendChild(thanks);
            thanks.focus();
          }, function (problem) { notify(problem.message); });
      });
      box.appendChild(button);
    });
    return box;
  }

  // ---- Notices: every failure comes with something to press.

  function notify(text, action, kind) {
    status.textContent = "";
    status.className = "status" + (kind === "info" ? " info" : "");
    if (!text) { status.hidden = true; return; }
    status.hidden = false;
    status.appendChild(el("span", {}, text));
    if (action) {
      var button = el("button", { type: "button", "class": "retry" }, action.label);
      button.addEventListener("click", action.run);
      status.appendChild(button);
    }
  }

  function clearProblem() { if (!status.classList.contains("info")) notify(""); }

  var RETRY_NOW = { label: "Thử lại ngay", run: function () { reconnectNow(); } };
  var SEND_AGAIN = { label: "Gửi lại", run: function () { submit(); } };

  function answered() {
    clearTimeout(waitingTimer);
    typing.hidden = true;
    if (pending) {
      // The text put back in the box after a timeout is no longer needed.
      if (pending.restored && input.value === pending.payload) { input.value = ""; updateComposer(); }
      pending.bubble.classList.remove("unanswered");
      pending = null;
    }
    if (connected || useRest) notify("");
  }

  function failed(message, delivered) {
    clearTimeout(waitingTimer);
    typing.hidden = true;
    var lost = pending;
    if (!lost) { notify(message, RETRY_NOW); return; }
    if (!delivered) {  // it never reached the assistant: off the log, offered again
      lost.bubble.remove();
      state.items = state.items.filter(function (item) { return item !== lost.item; });
      saveState();
      pending = null;
    } else {
      lost.bubble.classList.add("unanswered");
    }
    if (lost.shown) {  // a button: send its request again, whatever is being typed
      notify(message, { label: "Gửi lại", run: function () { send(lost.payload, lost.shown); } });
      return;
    }
    if (!input.value.trim()) { input.value = lost.payload; lost.restored = true; updateComposer(); }
    notify(message, SEND_AGAIN);
  }

  function waitForAnswer() {
    typing.hidden = false;
    clearTimeout(waitingTimer);
    waitingTimer = setTimeout(function () {
      failed(pending && pending.shown ? "Trợ lý chưa trả lời." : "Trợ lý chưa trả lời. Câu hỏi của bạn vẫn ở trong ô nhập để gửi lại.", true);
    }, ANSWER_TIMEOUT_MS);
  }

  function problem(message, status) { var error = new Error(message); error.status = status; return error; }

  function postJson(path, payload) {
    return fetch(SERVER + path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) throw problem((data && data.error) || "Có lỗi xảy ra, bạn vui lòng thử lại.", response.status);
        // A captive portal or a proxy's page instead of the assistant's JSON.
        if (data === null) throw problem("Trợ lý trả lời không đúng định dạng, có thể do mạng. Bạn vui lòng thử lại.", 502);
        return data;
      });
    }, function () { throw problem("Không gửi được do mất kết nối. Bạn vui lòng thử lại.", 0); });
  }

  // ---- Sending.

  function send(payload, shown) {
    var text = String(payload || "").trim();
    if (!text) return false;
    if (text.length > config.max_message_chars) {
      notify("Tin nhắn dài quá " + config.max_message_chars + " ký tự.");
      return false;
    }
    if (checkExpiry()) return false;
    if (!state.session) {
      notify("Chưa mở được cuộc trò chuyện mới. Mình đang thử lại.", { label: "Thử lại ngay", run: openNewSession });
      return false;
    }
    // A double click, or the same button twice before the answer: sent once.
    if (pending && pending.payload === text && Date.now() - pending.item.at < 3000) return false;
    if (!connected && !useRest) {
      notify("Đang mất kết nối, tin nhắn chưa được gửi. Mình đang thử kết nối lại.", RETRY_NOW);
      return false;
    }
    var item = { from: "user", text: shown || text, at: Date.now() };
    state.items.push(item);
    touch();
    pending = { payload: text, shown: shown || "", item: item, bubble: renderUser(item) };
    scrollToEnd();
    notify("");
    waitForAnswer();
    if (connected) {
      socket.emit("user_uttered", { message: text, session_id: state.session });
    } else {
      var session = state.session;
      postJson("/api/message", { conversation_id: session, message: text }).then(function (replies) {
        if (session !== state.session) return;  // an answer for a conversation forgotten meanwhile
        if (!Array.isArray(replies)) { failed("Trợ lý trả lời không đúng định dạng. Bạn vui lòng thử lại.", true); return; }
        replies.forEach(receive);
        answered();
      }, function (error) {
        if (session !== state.session) return;
        if (error.status === 403) {  // the server no longer knows this conversation: a new one, the text kept
          var typed = pending && !pending.shown ? pending.payload : "";
          newConversation("Phiên trò chuyện cũ đã hết hiệu lực, mình đã mở cuộc trò chuyện mới. Bạn vui lòng gửi lại câu hỏi.");
          if (typed) { input.value = typed; updateComposer(); }
          return;
        }
        failed(error.message, false);
      });
    }
    return true;
  }

  function submit() {
    if (send(input.value)) { input.value = ""; updateComposer(); }
  }

  function updateComposer() {
    var length = input.value.length, limit = config.max_message_chars;
    counter.textContent = length + "/" + limit;
    counter.hidden = length < Math.floor(limit * 0.8);
    counter.classList.toggle("over", length > limit);
    sendButton.disabled = !input.value.trim() || length > limit;
    // The box grows with the text, up to a few lines; then it scrolls.
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, Math.max(48, panel.clientHeight * 0.3)) + "px";
  }

  // ---- Connection.

  function setTransportReady() {
    wrapper.setAttribute("data-state", "ready");
    wrapper.setAttribute("data-transport", connected ? "socket" : "rest");
  }

  function useFallback() {
    if (connected) return;
    useRest = true;
    setTransportReady();
    clearProblem();  // the fallback is for us to know, not for the citizen to worry about
  }

  function reconnectNow() {
    notify("Đang kết nối lại…", RETRY_NOW);
    if (!socket) { connect(); return; }
    if (socket.connected) { clearProblem(); return; }
    socket.disconnect();
    socket.connect();
  }

  function connect() {
    if (typeof window.io !== "function") { useFallback(); return; }
    if (socket) { socket.connect(); return; }
    // Retries never stop; the delay grows to 15 s so a long outage does not flood the server.
    socket = window.io(config.rasa_url, {
      path: "/socket.io", transports: ["websocket", "polling"],
      reconnection: true, reconnectionAttempts: Infinity, reconnectionDelay: 1000, reconnectionDelayMax: 15000
    });
    clearTimeout(fallbackTimer);
    fallbackTimer = setTimeout(function () { if (!connected) useFallback(); }, FALLBACK_AFTER_MS);
    socket.on("connect", function () { socket.emit("session_request", { session_id: state.session }); });
    socket.on("session_confirm", function (confirmed) {
      var id = typeof confirmed === "string" ? confirmed : confirmed && confirmed.session_id;
      connected = true; everConnected = true; useRest = false;
      clearTimeout(fallbackTimer);
      if (switching && id === state.session) switching = false;
      if (id && state.session && id !== state.session) {
        forget(id);
        notify("Phiên trò chuyện cũ đã hết hiệu lực, mình đã mở cuộc trò chuyện mới.", null, "info");
      }
      clearProblem();
      setTransportReady();
      updateComposer();
    });
    socket.on("bot_uttered", receive);
    socket.on("disconnect", function (reason) {
      connected = false;
      // The REST relay carries on while the socket is away; if the assistant itself is down, the
      // relay says so and the text is kept.
      useRest = everConnected;
      wrapper.setAttribute("data-state", "disconnected");
      notify("Mất kết nối tới trợ lý. Mình đang tự kết nối lại; tin nhắn của bạn vẫn được giữ lại.", RETRY_NOW);
      if (reason === "io server disconnect") socket.connect();  // the server closed it: socket.io would not retry
    });
    socket.on("connect_error", function () {
      if (!everConnected && useRest) return;  // the REST relay serves; retries go on quietly
      notify(everConnected ? "Mất kết nối tới trợ lý. Mình đang tự kết nối lại; tin nhắn của bạn vẫn được giữ lại."
        : "Chưa kết nối được tới trợ lý. Mình đang thử lại.", RETRY_NOW);
    });
  }

  // ---- Sheets: modal over the whole panel; focus stays inside; Escape closes the sheet first.

  function background() { return [header, log, typing, status, composer, menu]; }

  function showSheet(name, opener) {
    hideMenu();
    if (openSheet) closeSheet(false);
    openSheet = sheets[name];
    sheetOpener = opener || null;
    background().forEach(function (node) { node.inert = true; node.setAttribute("aria-hidden", "true"); });
    openSheet.hidden = false;
    var first = openSheet.querySelector("input, textarea, button:not(.close), a") || openSheet.querySelector("button");
    first.focus();
  }

  function closeSheet(restoreFocus) {
    if (!openSheet) return;
    openSheet.hidden = true;
    openSheet = null;
    background().forEach(function (node) { node.inert = false; node.removeAttribute("aria-hidden"); });
    if (restoreFocus !== false) (sheetOpener && sheetOpener.isConnected && !sheetOpener.closest("[hidden]") ? sheetOpener : menuButton).focus();
  }

  function focusables(container) {
    return Array.prototype.filter.call(
      container.querySelectorAll("button, a[href], input, textarea, [tabindex]:not([tabindex='-1'])"),
      function (node) { return !node.disabled && node.getClientRects().length; });
  }

  function trapFocus(event) {
    if (event.key !== "Tab" || !openSheet) return;
    var nodes = focusables(openSheet);
    if (!nodes.length) return;
    var first = nodes[0], last = nodes[nodes.length - 1], current = root.activeElement || document.activeElement;
    if (event.shiftKey && (current === first || !openSheet.contains(current))) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && (current === last || !openSheet.contains(current))) { event.preventDefault(); first.focus(); }
  }

  function sheet(name, title) {
    var section = el("section", { "class": "sheet", id: "lsa-" + name, role: "dialog", "aria-modal": "true", "aria-labelledby": "lsa-" + name + "-title", hidden: "" });
    var head = el("div", { "class": "sheet-head" });
    head.appendChild(el("h3", { id: "lsa-" + name + "-title" }, title));
    var close = el("button", { type: "button", "class": "close" }, "Đóng");
    close.addEventListener("click", function () { closeSheet(); });
    head.appendChild(close);
    section.appendChild(head);
    sheets[name] = section;
    return section;
  }

  function hotlineLine(container, label, number) {
    var line = el("p", {});
    line.appendChild(document.createTextNode(label + ": "));
    line.appendChild(el("a", { href: "tel:" + number.replace(/[^\d+]/g, ""), "class": "tel" }, number));
    container.appendChild(line);
  }

  function contactSheet() {
    var section = sheet("contact", "Gặp cán bộ");
    var info = el("div", { "class": "contact" });
    if (config.hotline) hotlineLine(info, "Đường dây nóng", config.hotline);
    if (config.national_hotline) hotlineLine(info, "Tổng đài Cổng Dịch vụ công quốc gia", config.national_hotline);
    if (config.office_hours) info.appendChild(el("p", {}, "Giờ làm việc: " + config.office_hours));
    info.appendChild(el("p", {}, config.open_now ? "Hiện đang trong giờ làm việc." : "Hiện đang ngoài giờ làm việc."));
    section.appendChild(info);
    if (!config.open_now) {
      var form = el("form", { "class": "callback", novalidate: "" });
      form.appendChild(el("p", {}, "Để lại số điện thoại và câu hỏi, cán bộ sẽ gọi lại trong giờ làm việc."));
      var phoneLabel = el("label", { "for": "lsa-phone" }, "Số điện thoại");
      var phone = el("input", { id: "lsa-phone", type: "tel", inputmode: "tel", autocomplete: "tel", maxlength: "20", required: "" });
      var questionLabel = el("label", { "for": "lsa-question" }, "Câu hỏi");
      var question = el("textarea", { id: "lsa-question", rows: "3", maxlength: "1000", required: "" });
      var button = el("button", { type: "submit", "class": "primary" }, "Gửi yêu cầu gọi lại");
      var result = el("p", { "class": "result", role: "status", "aria-live": "polite" });
      [phoneLabel, phone, questionLabel, question, button, result].forEach(function (n) { form.appendChild(n); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        postJson("/api/callback", { conversation_id: state.session, phone: phone.value, question: question.value })
          .then(function (data) { result.textContent = data.message; form.reset(); },
                function (problem) { result.textContent = problem.message; });
      });
      section.appendChild(form);
    }
    return section;
  }

  var RATING_WORDS = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"];

  function ratingSheet() {
    var section = sheet("rating", "Đánh giá cuộc trò chuyện");
    var form = el("form", { "class": "rating" });
    var fieldset = el("fieldset", {});
    fieldset.appendChild(el("legend", {}, "Bạn hài lòng với trợ lý ở mức nào? (1 thấp nhất, 5 cao nhất)"));
    RATING_WORDS.forEach(function (word, index) {
      var value = String(index + 1);
      var label = el("label", { "class": "grade" });
      label.appendChild(el("input", { type: "radio", name: "stars", value: value }));
      label.appendChild(el("span", { "class": "number" }, value));
      label.appendChild(document.createTextNode(" "));
      label.appendChild(el("span", { "class": "word" }, word));
      fieldset.appendChild(label);
    });
    form.appendChild(fieldset);
    form.appendChild(el("label", { "for": "lsa-comment" }, "Góp ý thêm (không bắt buộc)"));
    var comment = el("textarea", { id: "lsa-comment", rows: "2", maxlength: "1000" });
    form.appendChild(comment);
    form.appendChild(el("button", { type: "submit", "class": "primary" }, "Gửi đánh giá"));
    var result = el("p", { "class": "result", role: "status", "aria-live": "polite" });
    form.appendChild(result);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector("input[name=stars]:checked");
      if (!chosen) { result.textContent = "Bạn vui lòng chọn một mức từ 1 đến 5."; return; }
      postJson("/api/feedback", { conversation_id: state.session, kind: "rating", value: Number(chosen.value), comment: comment.value })
        .then(function (data) {
          result.textContent = data.message;
          form.querySelector("button[type=submit]").disabled = true;  // one rating per conversation
          result.setAttribute("tabindex", "-1");
          result.focus();  // not lost to <body> with the button
        }, function (problem) { result.textContent = problem.message; });
    });
    section.appendChild(form);
    return section;
  }

  // ---- Options menu (a disclosure): new conversation, staff, rating, text size.

  function hideMenu() { if (menu && !menu.hidden) { menu.hidden = true; menuButton.setAttribute("aria-expanded", "false"); } }

  function applyScale(index) {
    var prefs = loadPrefs();
    var i = Math.min(TEXT_SCALES.length - 1, Math.max(0, index));
    prefs.scale = i;
    savePrefs(prefs);
    wrapper.style.setProperty("--lsa-scale", String(TEXT_SCALES[i]));
    wrapper.setAttribute("data-scale", String(i));
    var shown = wrapper.querySelector(".scale-value");
    if (shown) shown.textContent = Math.round(TEXT_SCALES[i] * 100) + "%";
    if (input) updateComposer();
  }

  function buildMenu() {
    menu = el("div", { id: "lsa-menu", "class": "menu", hidden: "" });
    var items = [
      ["Cuộc trò chuyện mới", function () { hideMenu(); newConversation(); }],
      ["Gặp cán bộ", function (event) { showSheet("contact", menuButton); }],
      ["Đánh giá trợ lý", function () { showSheet("rating", menuButton); }]
    ];
    items.forEach(function (entry) {
      var button = el("button", { type: "button", "class": "menu-item" }, entry[0]);
      button.addEventListener("click", entry[1]);
      menu.appendChild(button);
    });
    var sizes = el("div", { "class": "sizes", role: "group", "aria-label": "Cỡ chữ" });
    var smaller = el("button", { type: "button", "class": "size" }, "Chữ nhỏ hơn");
    var value = el("span", { "class": "scale-value", "aria-live": "polite" }, "100%");
    var larger = el("button", { type: "button", "class": "size" }, "Chữ to hơn");
    smaller.addEventListener("click", function () { applyScale(Number(wrapper.getAttribute("data-scale")) - 1); });
    larger.addEventListener("click", function () { applyScale(Number(wrapper.getAttribute("data-scale")) + 1); });
    [smaller, value, larger].forEach(function (n) { sizes.appendChild(n); });
    menu.appendChild(sizes);
    return menu;
  }

  // ---- Conversation lifecycle.

  function greet() {
    var item = normalize({
      local: true,
      text: "Xin chào! Mình là trợ lý ảo dịch vụ công. Mình giải đáp về thủ tục hành chính (giấy tờ, lệ phí, thời gian, nơi nộp…) và tra cứu tình trạng hồ sơ. Bạn cần hỗ trợ gì ạ?",
      buttons: (config.quick_replies || []).concat([{ title: "Gặp cán bộ", payload: "/request_human" }])
    });
    state.items.push(item);
    saveState();
    renderBot(item, false);
  }

  function freshState(session) { return { session: session, active: Date.now(), items: [] }; }

  // Forget everything on screen and in storage, and continue in a new Rasa conversation.
  function forget(session) {
    storage.removeItem(STATE_KEY);
    clearTimeout(sessionTimer);
    closeSheet(false);
    pending = null;
    clearTimeout(waitingTimer);
    typing.hidden = true;
    log.textContent = "";
    batchStart = null;
    unread = 0;
    showUnread();
    root.querySelectorAll("form").forEach(function (form) { form.reset(); });
    root.querySelectorAll("form button[type=submit]").forEach(function (button) { button.disabled = false; });
    root.querySelectorAll(".result").forEach(function (node) { node.textContent = ""; });
    input.value = "";
    state = freshState(session);
    if (bannerBox.textContent) log.appendChild(bannerBox);
    greet();
    updateComposer();
  }

  function newSessionId() {
    return fetch(SERVER + "/api/config").then(function (r) { return r.json(); }).then(function (data) { return data.session_id; });
  }

  // The screen is cleared at once; until the server has issued the new session id nothing is sent,
  // and nothing of the old conversation is shown or continued, however long the network is away.
  var newSessionNotice = "";

  function newConversation(notice) {
    forget(null);
    switching = true;
    newSessionNotice = notice || "Đã bắt đầu cuộc trò chuyện mới.";
    openNewSession();
  }

  function openNewSession() {
    clearTimeout(sessionTimer);
    newSessionId().then(function (id) {
      if (!/^[0-9a-f]{48}$/.test(id || "")) throw new Error("no session id");
      if (state.session) return;  // already opened by an earlier try
      state.session = id;
      saveState();
      if (connected) socket.emit("session_request", { session_id: id }); else switching = false;
      notify(newSessionNotice, null, "info");
      input.focus();
    }).catch(function () {
      notify("Chưa mở được cuộc trò chuyện mới do mất kết nối. Mình sẽ tự thử lại.", { label: "Thử lại ngay", run: openNewSession });
      sessionTimer = setTimeout(openNewSession, 5000);
    });
  }

  // Checked on a timer, when the tab comes back, and before anything the citizen does: a computer
  // that slept with the page open may not have run the timer.
  function checkExpiry() {
    if (state && state.items.some(function (item) { return !item.local; }) && Date.now() - state.active >= idleMs()) {
      newConversation("Cuộc trò chuyện trước đã được xoá khỏi màn hình vì lâu không sử dụng.");
      return true;
    }
    return false;
  }

  // ---- Building the widget.

  function build() {
    var host = el("div", { id: "lsa-chat-host" });
    document.body.appendChild(host);
    root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    wrapper = el("div", { "class": "lsa", "data-state": "connecting" });

    launcher = el("button", { type: "button", "class": "launcher", "aria-expanded": "false", "aria-controls": "lsa-panel" });
    launcher.appendChild(el("span", {}, "Hỏi trợ lý ảo"));
    unreadBadge = el("span", { "class": "unread", "aria-hidden": "true", hidden: "" });
    launcher.appendChild(unreadBadge);
    panel = el("div", { id: "lsa-panel", "class": "panel", role: "region", "aria-label": "Trợ lý ảo dịch vụ công", hidden: "" });

    header = el("div", { "class": "header" });
    var titles = el("div", { "class": "titles" });
    titles.appendChild(el("h2", {}, "Trợ lý ảo dịch vụ công"));
    if (config.centre) titles.appendChild(el("p", {}, config.centre));
    header.appendChild(titles);
    menuButton = el("button", { type: "button", "class": "head-button", "aria-expanded": "false", "aria-controls": "lsa-menu" }, "Tuỳ chọn");
    var closeButton = el("button", { type: "button", "class": "head-button minimise", "aria-label": "Thu nhỏ cửa sổ chat", title: "Thu nhỏ" }, "–");
    header.appendChild(menuButton);
    header.appendChild(closeButton);
    panel.appendChild(header);
    panel.appendChild(buildMenu());

    log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Nội dung trò chuyện", tabindex: "0" });
    // The banner scrolls with the conversation on short screens (see widget.css), so it stays first in the log.
    bannerBox = el("div", { "class": "banner", role: "alert" }, config.banner || "");
    if (config.banner) log.appendChild(bannerBox);
    panel.appendChild(log);
    typing = el("div", { "class": "typing", "aria-live": "polite", hidden: "" }, "Trợ lý đang soạn câu trả lời…");
    panel.appendChild(typing);
    status = el("div", { "class": "status", role: "status", hidden: "" });
    panel.appendChild(status);

    composer = el("form", { "class": "composer" });
    var label = el("label", { "for": "lsa-input", "class": "sr-only" }, "Nhập câu hỏi");
    input = el("textarea", { id: "lsa-input", rows: "1", placeholder: "Nhập câu hỏi của bạn…", "aria-describedby": "lsa-counter" });
    counter = el("span", { id: "lsa-counter", "class": "counter", "aria-live": "polite", hidden: "" });
    sendButton = el("button", { type: "submit", "class": "send" }, "Gửi");
    [label, input, sendButton, counter].forEach(function (n) { composer.appendChild(n); });
    panel.appendChild(composer);
    panel.appendChild(contactSheet());
    panel.appendChild(ratingSheet());

    wrapper.appendChild(launcher);
    wrapper.appendChild(panel);
    applyScale(Number(loadPrefs().scale) || 0);

    function open(on) {
      panel.hidden = !on;
      launcher.setAttribute("aria-expanded", String(on));
      launcher.hidden = on;
      state.open = on;
      saveState();
      if (on) {
        checkExpiry();
        unread = 0;
        state.unread = 0;
        saveState();
        showUnread();
        scrollToAnswer();
        updateComposer();
        input.focus();
      } else {
        hideMenu();
        closeSheet(false);
        launcher.focus();
      }
    }
    launcher.addEventListener("click", function () { open(true); });
    closeButton.addEventListener("click", function () { open(false); });
    menuButton.addEventListener("click", function () {
      var show = menu.hidden;
      menu.hidden = !show;
      menuButton.setAttribute("aria-expanded", String(show));
      if (show) menu.querySelector("button").focus();
    });
    wrapper.addEventListener("keydown", function (event) {
      trapFocus(event);
      if (event.key !== "Escape") return;
      if (openSheet) { event.stopPropagation(); closeSheet(); return; }
      if (!menu.hidden) { hideMenu(); menuButton.focus(); return; }
      if (!panel.hidden) open(false);
    });
    input.addEventListener("input", function () { updateComposer(); touch(); });
    input.addEventListener("keydown", function (event) {
      // Enter while a Vietnamese input method is still composing a word belongs to the input method.
      if (event.isComposing || event.keyCode === 229) return;
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); submit(); }
    });
    composer.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
    panel.addEventListener("click", function (event) {
      if (!menu.hidden && !menu.contains(event.target) && event.target !== menuButton) hideMenu();
    });
    document.addEventListener("click", function (event) {
      if (!menu.hidden && event.composedPath().indexOf(wrapper) < 0) hideMenu();
    });
    ["pointerdown", "focusin", "keydown"].forEach(function (kind) { wrapper.addEventListener(kind, checkExpiry, true); });

    if (state.items.length) {
      state.items.forEach(function (item) {
        if (item.from === "user") renderUser(item); else renderBot(normalize(item), true);
      });
    } else {
      greet();
    }
    unread = Number(state.unread) || 0;
    showUnread();
    // Shown once styled: the reading position needs the real layout, and nothing flashes unstyled.
    var style = el("link", { rel: "stylesheet", href: SERVER + "/widget.css" });
    style.onload = style.onerror = function () {
      root.appendChild(wrapper);
      updateComposer();
      if (state.open) open(true);
    };
    root.appendChild(style);
    setInterval(checkExpiry, EXPIRY_CHECK_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) checkExpiry(); });
  }

  function start() {
    fetch(SERVER + "/api/config").then(function (r) { return r.json(); }).then(function (data) {
      config = data;
      forgetLegacy();
      storage = pickStorage();
      // Session ids are issued by the server (signed); one made up here would be refused.
      state = loadState() || freshState(data.session_id);
      saveState();
      build();
      var loader = el("script", { src: SERVER + "/vendor/socket.io.min.js" });
      loader.onload = connect;
      loader.onerror = useFallback;
      document.head.appendChild(loader);
    }, function () { /* the assistant's server is down: the page works without the widget */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
