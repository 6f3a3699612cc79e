/*
 * Web chat widget of the public-service assistant. Embed on any page with:
 *   <script src="https://ASSISTANT_HOST/widget.js" data-server="https://ASSISTANT_HOST" defer></script>
 * Talks to Rasa's socket.io channel (a server-issued session kept in localStorage, so it survives reloads) and
 * falls back to the server's REST relay when socket.io cannot connect. Bot text is only ever
 * inserted with textContent; links are built element by element and only http(s) is allowed.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var SERVER = ((script && script.getAttribute("data-server")) || (script ? new URL(script.src).origin : location.origin)).replace(/\/$/, "");
  var KEY = "lsa-chat:" + SERVER;
  var SESSION_KEY = KEY + ":session";
  var HISTORY_KEY = KEY + ":history";
  var MAX_HISTORY = 60;
  var ANSWER_TIMEOUT_MS = 20000;
  var FALLBACK_AFTER_MS = 6000;

  var config = null, socket = null, sessionId = null, connected = false, everConnected = false, useRest = false;
  var root, wrapper, panel, log, input, counter, sendButton, typing, status, bannerBox;
  var waitingTimer = null, fallbackTimer = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function loadHistory() {
    try { return JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]"); } catch (e) { return []; }
  }
  function saveHistory(items) {
    try { localStorage.setItem(HISTORY_KEY, JSON.stringify(items.slice(-MAX_HISTORY))); } catch (e) { /* storage full or blocked */ }
  }
  function remember(item) { var items = loadHistory(); items.push(item); saveHistory(items); }

  // Text with http(s) links made clickable; nothing else is interpreted.
  function appendRichText(container, text) {
    var pattern = /(https?:\/\/[^\s<>"')]+)/g;
    String(text || "").split("\n").forEach(function (line, index) {
      if (index) container.appendChild(el("br"));
      var last = 0, match;
      while ((match = pattern.exec(line)) !== null) {
        container.appendChild(document.createTextNode(line.slice(last, match.index)));
        var url = match[1].replace(/[.,;:]+$/, "");
        var link = el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url);
        if (!/^https?:$/.test(new URL(url, location.href).protocol)) link = document.createTextNode(url);
        container.appendChild(link);
        last = match.index + url.length;
      }
      container.appendChild(document.createTextNode(line.slice(last)));
    });
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function renderUser(text, store) {
    var bubble = el("div", { "class": "msg user" });
    bubble.appendChild(el("span", { "class": "sr-only" }, "Bạn: "));
    bubble.appendChild(document.createTextNode(text));
    log.appendChild(bubble);
    if (store !== false) remember({ from: "user", text: text });
    scrollDown();
  }

  function renderBot(message, store) {
    var item = el("div", { "class": "msg bot" });
    item.appendChild(el("span", { "class": "sr-only" }, "Trợ lý: "));
    var body = el("div", { "class": "text" });
    appendRichText(body, message.text || "");
    item.appendChild(body);
    // Rasa's REST channel sends "buttons"; its socket.io channel sends the same as "quick_replies".
    var buttons = (message.buttons || message.quick_replies || []).filter(function (b) { return b && b.title; });
    if (buttons.length) {
      var group = el("div", { "class": "buttons", role: "group", "aria-label": "Lựa chọn gợi ý" });
      buttons.forEach(function (b) {
        var button = el("button", { type: "button", "class": "choice" }, b.title);
        button.addEventListener("click", function () { send(b.payload || b.title, b.title); });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    if (message.text && !message.local) item.appendChild(thumbs(message.text));
    log.appendChild(item);
    if (store !== false) remember({ from: "bot", text: message.text || "", buttons: buttons, local: !!message.local });
    scrollDown();
  }

  // A thumb drawn in SVG: emoji fonts are missing on some kiosks and older phones.
  function thumbIcon(down) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("width", "16"); svg.setAttribute("height", "16");
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
        postJson("/api/feedback", { conversation_id: sessionId, kind: "thumb", value: choice[0], answer_text: answerText.slice(0, 2000) })
          .then(function () {
            box.textContent = "";
            box.appendChild(el("span", { "class": "thanks", role: "status" }, "Cảm ơn bạn đã đánh giá."));
          }, function (problem) { notify(problem.message); });
      });
      box.appendChild(button);
    });
    return box;
  }

  function notify(text, withRetry) {
    status.textContent = "";
    if (!text) { status.hidden = true; return; }
    status.hidden = false;
    status.appendChild(document.createTextNode(text + " "));
    if (withRetry) {
      var retry = el("button", { type: "button", "class": "retry" }, "Thử lại");
      retry.addEventListener("click", function () { notify("Đang kết nối lại…"); connect(); });
      status.appendChild(retry);
    }
  }

  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(waitingTimer);
    if (on) {
      waitingTimer = setTimeout(function () {
        typing.hidden = true;
        notify("Trợ lý chưa trả lời. Bạn vui lòng gửi lại câu hỏi.", false);
      }, ANSWER_TIMEOUT_MS);
    }
  }

  function postJson(path, payload) {
    return fetch(SERVER + path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "Có lỗi xảy ra, bạn vui lòng thử lại.");
        return data;
      });
    }, function () { throw new Error("Không gửi được do mất kết nối. Bạn vui lòng thử lại."); });
  }

  function send(payload, shown) {
    var text = String(payload || "").trim();
    if (!text) return false;
    if (text.length > config.max_message_chars) {
      notify("Tin nhắn dài quá " + config.max_message_chars + " ký tự.");
      return false;
    }
    if (!connected && !useRest) {
      notify("Đang mất kết nối, tin nhắn chưa được gửi.", true);
      return false;
    }
    renderUser(shown || text);
    showTyping(true);
    if (connected) {
      socket.emit("user_uttered", { message: text, session_id: sessionId });
    } else {
      postJson("/api/message", { conversation_id: sessionId, message: text }).then(function (replies) {
        showTyping(false);
        (replies || []).forEach(function (reply) { renderBot(reply); });
      }, function (problem) { showTyping(false); notify(problem.message, true); });
    }
    return true;
  }

  function updateCounter() {
    var length = input.value.length;
    counter.textContent = length + "/" + config.max_message_chars;
    counter.classList.toggle("over", length > config.max_message_chars);
    sendButton.disabled = !input.value.trim() || length > config.max_message_chars;
  }

  function connect() {
    if (typeof window.io !== "function") { useRest = true; notify(""); return; }
    if (socket) { socket.connect(); return; }
    socket = window.io(config.rasa_url, { path: "/socket.io", transports: ["websocket", "polling"], reconnectionAttempts: 5 });
    clearTimeout(fallbackTimer);
    fallbackTimer = setTimeout(function () {
      if (!connected) { useRest = true; wrapper.setAttribute("data-state", "ready"); notify("Đang dùng kết nối dự phòng."); }
    }, FALLBACK_AFTER_MS);
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (confirmed) {
      var id = typeof confirmed === "string" ? confirmed : confirmed && confirmed.session_id;
      connected = true; everConnected = true; useRest = false;
      clearTimeout(fallbackTimer);
      if (id && id !== sessionId) { sessionId = id; localStorage.setItem(SESSION_KEY, id); }
      notify("");
      wrapper.setAttribute("data-state", "ready");
      updateCounter();
    });
    socket.on("bot_uttered", function (message) { showTyping(false); renderBot(message || {}); });
    socket.on("disconnect", function () {
      connected = false;
      wrapper.setAttribute("data-state", "disconnected");
      notify("Mất kết nối tới trợ lý. Tin nhắn của bạn vẫn được giữ lại.", true);
    });
    socket.on("connect_error", function () {
      // After a drop the "connection lost" notice stays; before the first connection, say so.
      if (!connected && !everConnected) notify("Chưa kết nối được tới trợ lý.", true);
    });
  }

  function panelSection(title, id) {
    var section = el("section", { "class": "sheet", id: id, role: "dialog", "aria-label": title, hidden: "" });
    var head = el("div", { "class": "sheet-head" });
    head.appendChild(el("h3", {}, title));
    var close = el("button", { type: "button", "class": "icon", "aria-label": "Đóng" }, "×");
    close.addEventListener("click", function () { section.hidden = true; input.focus(); });
    head.appendChild(close);
    section.appendChild(head);
    return section;
  }

  function contactSheet() {
    var sheet = panelSection("Gặp cán bộ", "lsa-contact");
    var info = el("div", { "class": "contact" });
    var lines = [];
    if (config.hotline) lines.push("Đường dây nóng: " + config.hotline);
    if (config.national_hotline) lines.push("Tổng đài Cổng Dịch vụ công quốc gia: " + config.national_hotline);
    if (config.office_hours) lines.push("Giờ làm việc: " + config.office_hours);
    lines.push(config.open_now ? "Hiện đang trong giờ làm việc." : "Hiện đang ngoài giờ làm việc.");
    lines.forEach(function (line) { info.appendChild(el("p", {}, line)); });
    sheet.appendChild(info);
    if (!config.open_now) {
      var form = el("form", { "class": "callback", novalidate: "" });
      form.appendChild(el("p", {}, "Để lại số điện thoại và câu hỏi, cán bộ sẽ gọi lại trong giờ làm việc."));
      var phoneLabel = el("label", { "for": "lsa-phone" }, "Số điện thoại");
      var phone = el("input", { id: "lsa-phone", type: "tel", inputmode: "tel", autocomplete: "tel", maxlength: "20", required: "" });
      var questionLabel = el("label", { "for": "lsa-question" }, "Câu hỏi");
      var question = el("textarea", { id: "lsa-question", rows: "3", maxlength: "1000", required: "" });
      var submit = el("button", { type: "submit", "class": "primary" }, "Gửi yêu cầu gọi lại");
      var result = el("p", { "class": "result", role: "status", "aria-live": "polite" });
      [phoneLabel, phone, questionLabel, question, submit, result].forEach(function (n) { form.appendChild(n); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        postJson("/api/callback", { conversation_id: sessionId, phone: phone.value, question: question.value })
          .then(function (data) { result.textContent = data.message; form.reset(); },
                function (problem) { result.textContent = problem.message; });
      });
      sheet.appendChild(form);
    }
    return sheet;
  }

  function ratingSheet() {
    var sheet = panelSection("Đánh giá cuộc trò chuyện", "lsa-rating");
    var form = el("form", { "class": "rating" });
    var fieldset = el("fieldset", {});
    fieldset.appendChild(el("legend", {}, "Bạn hài lòng với trợ lý ở mức nào?"));
    for (var value = 1; value <= 5; value++) {
      var label = el("label", { "class": "star" });
      var radio = el("input", { type: "radio", name: "stars", value: String(value), "aria-label": value + " trên 5 sao" });
      label.appendChild(radio);
      label.appendChild(el("span", { "aria-hidden": "true" }, "★"));
      fieldset.appendChild(label);
    }
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
      if (!chosen) { result.textContent = "Bạn vui lòng chọn số sao."; return; }
      postJson("/api/feedback", { conversation_id: sessionId, kind: "rating", value: Number(chosen.value), comment: comment.value })
        .then(function (data) { result.textContent = data.message; }, function (problem) { result.textContent = problem.message; });
    });
    sheet.appendChild(form);
    return sheet;
  }

  function build() {
    var host = el("div", { id: "lsa-chat-host" });
    document.body.appendChild(host);
    root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = el("link", { rel: "stylesheet", href: SERVER + "/widget.css" });
    root.appendChild(style);
    wrapper = el("div", { "class": "lsa", "data-state": "connecting" });

    var launcher = el("button", { type: "button", "class": "launcher", "aria-expanded": "false", "aria-controls": "lsa-panel" }, "Hỏi trợ lý ảo");
    panel = el("div", { id: "lsa-panel", "class": "panel", role: "region", "aria-label": "Trợ lý ảo dịch vụ công", hidden: "" });

    var header = el("div", { "class": "header" });
    var titles = el("div", { "class": "titles" });
    titles.appendChild(el("h2", {}, "Trợ lý ảo dịch vụ công"));
    titles.appendChild(el("p", {}, config.centre || ""));
    header.appendChild(titles);
    var actions = el("div", { "class": "header-actions" });
    var contactButton = el("button", { type: "button", "class": "link" }, "Gặp cán bộ");
    var rateButton = el("button", { type: "button", "class": "link" }, "Đánh giá");
    var closeButton = el("button", { type: "button", "class": "icon", "aria-label": "Thu nhỏ cửa sổ chat" }, "–");
    [contactButton, rateButton, closeButton].forEach(function (b) { actions.appendChild(b); });
    header.appendChild(actions);
    panel.appendChild(header);

    bannerBox = el("div", { "class": "banner", role: "alert" }, config.banner || "");
    bannerBox.hidden = !config.banner;
    panel.appendChild(bannerBox);

    log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Nội dung trò chuyện", tabindex: "0" });
    panel.appendChild(log);
    typing = el("div", { "class": "typing", "aria-live": "polite", hidden: "" }, "Trợ lý đang soạn câu trả lời…");
    panel.appendChild(typing);
    status = el("div", { "class": "status", role: "status", hidden: "" });
    panel.appendChild(status);

    var form = el("form", { "class": "composer" });
    var label = el("label", { "for": "lsa-input", "class": "sr-only" }, "Nhập câu hỏi");
    input = el("textarea", { id: "lsa-input", rows: "1", placeholder: "Nhập câu hỏi của bạn…", "aria-describedby": "lsa-counter" });
    counter = el("span", { id: "lsa-counter", "class": "counter", "aria-live": "off" });
    sendButton = el("button", { type: "submit", "class": "send", "aria-label": "Gửi" }, "Gửi");
    [label, input, counter, sendButton].forEach(function (n) { form.appendChild(n); });
    panel.appendChild(form);

    var contact = contactSheet(), rating = ratingSheet();
    panel.appendChild(contact);
    panel.appendChild(rating);

    wrapper.appendChild(launcher);
    wrapper.appendChild(panel);
    root.appendChild(wrapper);

    function open(state) {
      panel.hidden = !state;
      launcher.setAttribute("aria-expanded", String(state));
      launcher.hidden = state;
      try { localStorage.setItem(KEY + ":open", state ? "1" : "0"); } catch (e) { /* ignore */ }
      if (state) input.focus(); else launcher.focus();
    }
    launcher.addEventListener("click", function () { open(true); });
    closeButton.addEventListener("click", function () { open(false); });
    contactButton.addEventListener("click", function () { rating.hidden = true; contact.hidden = false; contact.querySelector("button").focus(); });
    rateButton.addEventListener("click", function () { contact.hidden = true; rating.hidden = false; rating.querySelector("input").focus(); });
    wrapper.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden) open(false);
    });
    input.addEventListener("input", updateCounter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (send(input.value)) { input.value = ""; updateCounter(); }
    });

    var history = loadHistory();
    if (history.length) {
      history.forEach(function (item) { if (item.from === "user") renderUser(item.text, false); else renderBot(item, false); });
    } else {
      greet();
    }
    updateCounter();
    if (localStorage.getItem(KEY + ":open") === "1") open(true);
  }

  function greet() {
    var greeting = {
      local: true,
      text: "Xin chào! Mình là trợ lý ảo dịch vụ công. Mình giải đáp về thủ tục hành chính (giấy tờ, lệ phí, thời gian, nơi nộp…) và tra cứu tình trạng hồ sơ. Bạn cần hỗ trợ gì ạ?",
      buttons: (config.quick_replies || []).concat([{ title: "Gặp cán bộ", payload: "/request_human" }])
    };
    renderBot(greeting);
  }

  function start() {
    sessionId = localStorage.getItem(SESSION_KEY);
    fetch(SERVER + "/api/config").then(function (r) { return r.json(); }).then(function (data) {
      config = data;
      // Session ids are issued by the server (signed); one made up here would be refused.
      if (!/^[0-9a-f]{48}$/.test(sessionId || "")) {
        sessionId = data.session_id;
        try { localStorage.setItem(SESSION_KEY, sessionId); } catch (e) { /* storage blocked */ }
      }
      build();
      var loader = el("script", { src: SERVER + "/vendor/socket.io.min.js" });
      loader.onload = connect;
      loader.onerror = function () { useRest = true; wrapper.setAttribute("data-state", "ready"); };
      document.head.appendChild(loader);
    }, function () { /* the assistant's server is down: the page works without the widget */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
