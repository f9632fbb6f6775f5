/* Otklik agents' pages: the ticket's live stream, ticking clocks, keyboard shortcuts and their help.
   Served from the app (CSP script-src 'self'); no inline code, no eval. Every server text reaches
   the page through htmx swaps of escaped HTML or through textContent. */
(function () {
  "use strict";

  var stream = null;
  var streamUrl = null;
  var fetching = false;
  var fetchAgain = false;
  var selected = -1;
  var waitingForG = false;
  var relative = null;

  function one(selector, root) { return (root || document).querySelector(selector); }
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  /* --- clocks: «через 12 минут» / «5 минут назад», recoloured as targets come near or pass --- */
  function phrase(ms) {
    if (!relative) {
      relative = new Intl.RelativeTimeFormat(document.documentElement.lang || "ru", { numeric: "auto" });
    }
    var seconds = Math.round(ms / 1000);
    var size = Math.abs(seconds);
    if (size < 90) { return relative.format(Math.round(seconds / 60) || (seconds < 0 ? -1 : 1), "minute"); }
    if (size < 5400) { return relative.format(Math.round(seconds / 60), "minute"); }
    if (size < 129600) { return relative.format(Math.round(seconds / 3600), "hour"); }
    return relative.format(Math.round(seconds / 86400), "day");
  }

  function tick() {
    var now = Date.now();
    all("time[data-clock]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) { return; }
      el.textContent = phrase(due - now);
      var item = el.closest("[data-clock-item]");
      if (!item) { return; }
      item.classList.toggle("c-breached", due <= now);
      item.classList.toggle("c-near", due > now && due - now <= 3600000);
      item.classList.toggle("c-ok", due - now > 3600000);
    });
  }

  /* --- the ticket's live stream (SSE): new messages, delivery states, ticket changes, presence --- */
  function lastId() {
    var items = all("#timeline > li[data-id]");
    return items.length ? items[items.length - 1].getAttribute("data-id") : "0";
  }

  function appendNew() {
    var article = one("[data-timeline]");
    if (!article || !window.htmx) { return; }
    if (fetching) { fetchAgain = true; return; }
    fetching = true;
    var url = article.getAttribute("data-timeline") + "?after=" + encodeURIComponent(lastId());
    window.htmx.ajax("GET", url, { target: "#timeline", swap: "beforeend" }).then(function () {
      fetching = false;
      if (fetchAgain) { fetchAgain = false; appendNew(); }
    }, function () { fetching = false; });
  }

  function onMessage(event) {
    var data = JSON.parse(event.data);
    if (one('#timeline > li[data-id="' + data.id + '"]')) { return; }
    appendNew();
    if (!data.inbound) { return; }
    var text = one("[data-composer-text]");
    if (text && text.value.trim()) {
      var warning = one("#new-while-typing");
      if (warning) { warning.hidden = false; }
    } else {
      var seen = one("[data-seen-inbound]");
      if (seen) { seen.value = String(data.id); }
    }
  }

  function onDelivery(event) {
    var data = JSON.parse(event.data);
    var el = one('[data-delivery="' + data.id + '"]');
    if (!el) { return; }
    el.textContent = data.label;
    el.className = "delivery d-" + data.state;
    if (data.error) { el.title = data.error; }
  }

  function onTicket() {
    var panel = one("#panel");
    if (panel && window.htmx) {
      window.htmx.ajax("GET", panel.getAttribute("data-panel"), { target: "#panel", swap: "outerHTML" }).then(tick);
    }
  }

  function onPresence(event) {
    var el = one("#presence");
    if (el) { el.textContent = JSON.parse(event.data).text; }
  }

  function connect() {
    var article = one("[data-stream]");
    var url = article ? article.getAttribute("data-stream") : null;
    if (url === streamUrl) { return; }
    if (stream) { stream.close(); stream = null; }
    streamUrl = url;
    if (!url || !window.EventSource) { return; }
    stream = new EventSource(url);
    stream.addEventListener("message", onMessage);
    stream.addEventListener("delivery", onDelivery);
    stream.addEventListener("ticket", onTicket);
    stream.addEventListener("presence", onPresence);
  }

  /* --- keyboard shortcuts --- */
  function editing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function rows() { return all("[data-rows] [data-row]"); }

  function move(step) {
    var list = rows();
    if (!list.length) { return; }
    if (selected >= 0 && list[selected]) { list[selected].classList.remove("sel"); }
    selected = Math.max(0, Math.min(list.length - 1, selected + step));
    list[selected].classList.add("sel");
    var link = one("a", list[selected]);
    if (link) { link.focus({ preventScroll: true }); }
    list[selected].scrollIntoView({ block: "nearest" });
  }

  function openSelected() {
    var list = rows();
    var link = selected >= 0 && list[selected] ? one("a", list[selected]) : null;
    if (link) { window.location.assign(link.href); }
  }

  function compose(mode) {
    var radio = one('[data-mode="' + mode + '"]');
    if (radio && !radio.disabled) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    var text = one("[data-composer-text]");
    if (text) { text.focus(); }
  }

  function openBox(id, focusSelector) {
    var box = document.getElementById(id);
    if (!box) { return; }
    box.open = true;
    var field = one(focusSelector, box);
    if (field) { field.focus(); }
  }

  function help(show) {
    var dialog = document.getElementById("help");
    if (!dialog) { return; }
    if (show && !dialog.open) { dialog.showModal(); }
    if (!show && dialog.open) { dialog.close(); }
  }

  function onKey(event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.matches("[data-composer-text]")) {
      event.preventDefault();
      if (target.form) { target.form.requestSubmit(); }
      return;
    }
    if (event.key === "Escape") {
      if (editing(document.activeElement)) { document.activeElement.blur(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || editing(target)) { return; }
    if (waitingForG) {
      waitingForG = false;
      if (event.key === "q") { window.location.assign("/agent/queues/mine"); }
      return;
    }
    var actions = {
      "?": function () { help(true); },
      "/": function () { var q = one("[data-key='/']"); if (q) { q.focus(); q.select(); } },
      "j": function () { move(1); },
      "k": function () { move(-1); },
      "o": openSelected,
      "Enter": function () { if (selected >= 0) { openSelected(); } },
      "r": function () { compose("public"); },
      "n": function () { compose("note"); },
      "h": function () { openBox("hold-box", "input"); },
      "t": function () { openBox("transfer-box", "select"); },
      "s": function () { var button = one("[data-solve]"); if (button) { button.focus(); } },
      "g": function () { waitingForG = true; window.setTimeout(function () { waitingForG = false; }, 1200); }
    };
    var action = actions[event.key];
    if (action && !(event.key === "Enter" && selected < 0)) {
      event.preventDefault();
      action();
    }
  }

  function onClick(event) {
    if (event.target.closest && event.target.closest("[data-help]")) { help(true); }
  }

  function start() {
    selected = -1;
    connect();
    tick();
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("click", onClick);
  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:load", function () { connect(); tick(); });
  window.setInterval(tick, 15000);
})();
