/* Otklik web chat widget. One tag on the shop's page, no build step:
 *   <script src="https://desk.example/widget.js" data-otklik async></script>
 * Options on the tag: data-lang="ru|en" (default: the page's language, Russian first).
 * CSP-friendly: no inline code, no eval; the DOM is built by hand inside a shadow root and
 * every text from a person goes through textContent and is never parsed as markup.
 * The visitor token lives in this origin's localStorage and travels in the X-Otklik-Visitor
 * header (no cookies); live updates are Server-Sent Events read with fetch, so the token
 * stays out of URLs. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-otklik]");
  if (!script || window.__otklikWidget) return;
  window.__otklikWidget = true;

  var root = new URL(".", script.src);
  var api = function (path) { return new URL("api/v1/public/" + path, root).toString(); };
  var pick = (script.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "ru");
  var lang = pick.slice(0, 2).toLowerCase() === "en" ? "en" : "ru";
  var WORDS = {
    ru: {
      open: "Написать нам", title: "Поддержка", close: "Закрыть", placeholder: "Ваше сообщение…",
      send: "Отправить", you: "Вы", support: "Поддержка", queue: "Мы скоро ответим",
      owner: "Вашим обращением занимается {name}", typing: "{name} печатает…", answered: "Ответ получен",
      sending: "отправляется…", stored: "отправлено", queued: "отправляется", sent: "доставлено",
      failed: "не доставлено", closed: "Разговор завершён. Напишите, если нужна помощь.",
      retry: "Не удалось отправить, попробуйте ещё раз.", wait: "Слишком часто: подождите {s} с."
    },
    en: {
      open: "Chat with us", title: "Support", close: "Close", placeholder: "Your message…",
      send: "Send", you: "You", support: "Support", queue: "We will answer shortly",
      owner: "{name} is handling your request", typing: "{name} is typing…", answered: "Answered",
      sending: "sending…", stored: "sent", queued: "sending", sent: "delivered",
      failed: "not delivered", closed: "The conversation is closed. Write if you need help.",
      retry: "Could not send, please try again.", wait: "Too fast: wait {s} s."
    }
  };
  function t(key, params) {
    var s = WORDS[lang][key] || key;
    Object.keys(params || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(params[k])); });
    return s;
  }

  var storeKey = "otklik:" + root.toString() + ":visitor";
  var memory = {};
  function load(key) { try { return window.localStorage.getItem(key); } catch (e) { return memory[key] || null; } }
  function save(key, value) {
    try { if (value === null) window.localStorage.removeItem(key); else window.localStorage.setItem(key, value); }
    catch (e) { memory[key] = value; }
  }

  var state = { token: load(storeKey), ticket: null, lastId: 0, owner: null, typist: null, answered: false,
    closed: false, streaming: false, backoff: 1000, byId: {}, pending: {}, lastTyping: 0 };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---- the DOM: a launcher and a panel in a shadow root, styled by widget.css only ----
  var host = el("div");
  host.setAttribute("data-otklik-widget", "");
  var shadow = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var css = el("link");
  css.rel = "stylesheet";
  css.href = new URL("static/widget.css", root).toString();
  var box = el("div", "otk");
  box.setAttribute("lang", lang);
  var launcher = el("button", "otk-launcher", t("open"));
  launcher.type = "button";
  var panel = el("section", "otk-panel");
  panel.hidden = true;
  panel.setAttribute("aria-label", t("title"));
  var head = el("div", "otk-head");
  var heading = el("div");
  heading.appendChild(el("div", "otk-title", t("title")));
  var ownerLine = el("div", "otk-owner", t("queue"));
  heading.appendChild(ownerLine);
  var closer = el("button", "otk-close", "×");
  closer.type = "button";
  closer.setAttribute("aria-label", t("close"));
  head.appendChild(heading);
  head.appendChild(closer);
  var log = el("div", "otk-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var stateLine = el("div", "otk-state");
  var form = el("form", "otk-form");
  var input = el("textarea", "otk-input");
  input.rows = 2;
  input.maxLength = 10000;
  input.placeholder = t("placeholder");
  input.setAttribute("aria-label", t("placeholder"));
  var sendButton = el("button", "otk-send", t("send"));
  sendButton.type = "submit";
  form.appendChild(input);
  form.appendChild(sendButton);
  [head, log, stateLine, form].forEach(function (n) { panel.appendChild(n); });
  box.appendChild(launcher);
  box.appendChild(panel);
  shadow.appendChild(css);
  shadow.appendChild(box);

  function showState() {
    ownerLine.textContent = state.owner ? t("owner", { name: state.owner }) : t("queue");
    var line = "";
    if (state.typist) line = t("typing", { name: state.typist });
    else if (state.closed) line = t("closed");
    else if (state.answered) line = t("answered");
    stateLine.textContent = line;
  }
  function note(text) { stateLine.textContent = text; }

  // ---- messages ----
  function metaText(m) {
    var who = m.from === "customer" ? t("you") : (m.author || t("support"));
    var when = new Date(m.created_at);
    var time = isNaN(when) ? "" : when.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    var parts = [who, time];
    if (m.from === "agent" && m.delivery) parts.push(t(m.delivery));
    if (m.from === "customer") parts.push(t("stored"));
    return parts.filter(Boolean).join(" · ");
  }
  function draw(m, node) {
    node = node || el("div");
    node.className = "otk-msg" + (m.from === "customer" ? " otk-mine" : "");
    node.textContent = "";
    node.appendChild(document.createTextNode(m.text));
    node.appendChild(el("span", "otk-meta", metaText(m)));
    node.otkMessage = m;
    return node;
  }
  function place(m) {
    var known = state.byId[m.id];
    if (known) { draw(m, known); return; }
    var node = draw(m);
    state.byId[m.id] = node;
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
  }

  // ---- the server ----
  function request(path, body) {
    return fetch(api(path), {
      method: "POST", mode: "cors", credentials: "omit", cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept-Language": lang, "X-Otklik-Visitor": state.token || "" },
      body: JSON.stringify(body || {})
    });
  }
  function ensureToken() {
    if (state.token) return Promise.resolve(state.token);
    return request("chat/visitors").then(function (res) {
      if (!res.ok) throw res;
      return res.json();
    }).then(function (data) {
      state.token = data.token;
      save(storeKey, data.token);
      return data.token;
    });
  }
  function forgetToken() { state.token = null; save(storeKey, null); }
  function waitOf(res) { return Math.max(parseInt(res.headers.get("Retry-After") || "5", 10) || 5, 1); }

  function send(text, clientId, node, again) {
    return ensureToken().then(function () {
      return request("chat/messages", { text: text, client_id: clientId, page_url: location.href.slice(0, 2000) });
    }).then(function (res) {
      if (res.status === 401 && !again) { forgetToken(); return send(text, clientId, node, true); }
      if (res.status === 429) { note(t("wait", { s: waitOf(res) })); throw res; }
      if (!res.ok) throw res;
      return res.json().then(function (ack) {
        if (state.byId[ack.message_id]) log.removeChild(node);
        else { state.byId[ack.message_id] = node; draw({ id: ack.message_id, from: "customer", text: text, created_at: new Date().toISOString() }, node); }
        if (ack.ticket_id !== state.ticket) { state.ticket = ack.ticket_id; state.closed = false; restart(); }
        else connect();
      });
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var clientId = "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    var node = el("div", "otk-msg otk-mine");
    node.appendChild(document.createTextNode(text));
    node.appendChild(el("span", "otk-meta", t("sending")));
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
    input.value = "";
    sendButton.disabled = true;
    send(text, clientId, node, false).catch(function (res) {
      if (!res || res.status !== 429) note(t("retry"));
      if (node.parentNode) log.removeChild(node);
      input.value = text;
    }).then(function () { sendButton.disabled = false; });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : sendButton.click(); }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (!state.token || !state.ticket || now - state.lastTyping < 4000) return;
    state.lastTyping = now;
    request("chat/typing", { typing: true, ticket_id: state.ticket }).catch(function () {});
  });

  // ---- live updates: SSE over fetch, resumed with Last-Event-ID ----
  var handlers = {
    ticket: function (d) {
      if (d.id === null) return;
      state.ticket = d.id;
      state.owner = d.owner;
      state.answered = !!d.answered;
      state.closed = d.status === "closed";
      showState();
    },
    message: function (d) { place(d); if (d.from === "agent") { state.typist = null; showState(); } },
    delivery: function (d) {
      var node = state.byId[d.id];
      if (node && node.otkMessage) { node.otkMessage.delivery = d.state; draw(node.otkMessage, node); }
    },
    typing: function (d) { state.typist = d.typing ? d.name : null; showState(); }
  };
  function dispatch(block) {
    var name = "message", data = "", id = null;
    block.split("\n").forEach(function (line) {
      if (!line || line.charAt(0) === ":") return;
      var at = line.indexOf(":");
      var field = at < 0 ? line : line.slice(0, at);
      var value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
      if (field === "event") name = value;
      else if (field === "data") data += value;
      else if (field === "id") id = value;
    });
    if (id !== null && /^\d+$/.test(id)) state.lastId = Math.max(state.lastId, parseInt(id, 10));
    if (!data || !handlers[name]) return;
    try { handlers[name](JSON.parse(data)); } catch (e) { /* a frame we cannot read is skipped */ }
  }
  var controller = null;
  var generation = 0;  // a stream that was replaced must not reconnect or dispatch
  function connect() {
    if (state.streaming || !state.token) return;
    state.streaming = true;
    var mine = ++generation;
    controller = window.AbortController ? new AbortController() : null;
    var headers = { "X-Otklik-Visitor": state.token, "Accept": "text/event-stream" };
    if (state.lastId) headers["Last-Event-ID"] = String(state.lastId);
    var url = api("chat/stream") + (state.ticket ? "?ticket=" + encodeURIComponent(state.ticket) : "");
    fetch(url, { headers: headers, mode: "cors", credentials: "omit", cache: "no-store", signal: controller && controller.signal })
      .then(function (res) {
        if (res.status === 401) { forgetToken(); throw res; }
        if (res.status === 403) { state.ticket = null; throw res; }
        if (res.status === 429) { state.backoff = waitOf(res) * 1000; throw res; }
        if (!res.ok || !res.body) throw res;
        state.backoff = 1000;
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done || mine !== generation) return;
            buffer += decoder.decode(chunk.value, { stream: true });
            var cut;
            while ((cut = buffer.indexOf("\n\n")) >= 0) { dispatch(buffer.slice(0, cut)); buffer = buffer.slice(cut + 2); }
            return pump();
          });
        }
        return pump();
      })
      .then(function () { again(mine, 1000); }, function () {
        again(mine, state.backoff);
        state.backoff = Math.min(state.backoff * 2, 30000);
      });
  }
  function again(mine, delay) {
    if (mine !== generation) return;
    state.streaming = false;
    if (state.token && !panel.hidden) setTimeout(connect, delay);
  }
  function restart() {
    generation++;
    if (controller) controller.abort();
    state.streaming = false;
    state.lastId = 0;
    connect();
  }

  launcher.addEventListener("click", function () {
    launcher.hidden = true;
    panel.hidden = false;
    input.focus();
    connect();
  });
  closer.addEventListener("click", function () {
    panel.hidden = true;
    launcher.hidden = false;
    generation++;
    state.streaming = false;
    if (controller) controller.abort();
  });

  (document.body || document.documentElement).appendChild(host);
})();
