// Live chat over a WebSocket: shows the conversation, sends messages with an id of our own (so a
// message resent after a dropped connection is stored once), reconnects with back-off and
// resumes from the last seq seen, sends typing and read marks. On the agents' desk it also
// refreshes the list of conversations.
(function () {
  "use strict";

  var list = document.getElementById("chat-conversations");
  if (list) {
    var refreshList = function () {
      fetch("/staff/chat/conversations", { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) { return; }
          var current = new URLSearchParams(location.search).get("c");
          list.textContent = "";
          answer.conversations.forEach(function (conversation) {
            var item = document.createElement("li");
            var link = document.createElement("a");
            link.href = "/staff/chat?c=" + encodeURIComponent(conversation.id);
            link.textContent = conversation.id;
            if (conversation.id === current) { link.setAttribute("aria-current", "true"); }
            item.appendChild(link);
            if (conversation.unread > 0) {
              var badge = document.createElement("span");
              badge.className = "badge";
              badge.textContent = conversation.unread + " " + list.dataset.tUnread;
              item.appendChild(document.createTextNode(" "));
              item.appendChild(badge);
            }
            list.appendChild(item);
          });
          var none = document.getElementById("chat-no-conversations");
          if (none) { none.hidden = answer.conversations.length > 0; }
        })
        .catch(function () { /* the next refresh tries again */ });
    };
    setInterval(refreshList, 5000);
  }

  var root = document.getElementById("chat");
  if (!root) { return; }
  var t = root.dataset;
  var side = t.side;
  var log = document.getElementById("chat-log");
  var statusLine = document.getElementById("chat-status");
  var typingLine = document.getElementById("chat-typing");
  var errorLine = document.getElementById("chat-error");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var endButton = document.getElementById("chat-end");

  var last = 0;
  var socket = null;
  var attempts = 0;
  var ended = false;
  var pending = {};
  var typingSentAt = 0;
  var typingTimer = null;
  var readSent = 0;

  function newClientId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function setStatus(text) { statusLine.textContent = text; }

  function open() { return socket && socket.readyState === WebSocket.OPEN; }

  function sendFrame(frame) {
    if (open()) { socket.send(JSON.stringify(frame)); }
  }

  function who(from) {
    if (from === side) { return t.tYou; }
    return from === "agent" ? t.tAgent : t.tUser;
  }

  function appendMessage(frame) {
    var stale = log.querySelector('[data-pending="' + CSS.escape(frame.client_id) + '"]');
    if (stale && frame.from === side) { stale.remove(); }
    var item = document.createElement("li");
    item.className = "chat-message chat-from-" + (frame.from === side ? "me" : "them");
    item.dataset.seq = frame.seq;
    item.dataset.from = frame.from;
    var author = document.createElement("strong");
    author.textContent = who(frame.from) + ": ";
    var body = document.createElement("span");
    body.className = "chat-body";
    body.textContent = frame.body;
    item.appendChild(author);
    item.appendChild(body);
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function appendPending(clientId, text) {
    var item = document.createElement("li");
    item.className = "chat-message chat-from-me chat-pending";
    item.dataset.pending = clientId;
    item.textContent = t.tYou + ": " + text + " (" + t.tSending + ")";
    log.appendChild(item);
  }

  function markRead() {
    if (document.visibilityState === "visible" && last > readSent && open()) {
      readSent = last;
      sendFrame({ type: "read", seq: last });
    }
  }

  function showRead(seq) {
    log.querySelectorAll('.chat-from-me[data-seq]').forEach(function (item) {
      if (Number(item.dataset.seq) <= seq && !item.classList.contains("chat-read")) {
        item.classList.add("chat-read");
        var mark = document.createElement("span");
        mark.className = "chat-read-mark muted";
        mark.textContent = " ✓ " + t.tRead;
        item.appendChild(mark);
      }
    });
  }

  function end() {
    ended = true;
    setStatus(t.tEnded);
    input.disabled = true;
    document.getElementById("chat-send").disabled = true;
    endButton.disabled = true;
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "hello":
        setStatus(t.tConnected);
        showRead(side === "user" ? frame.agent_read_seq : frame.user_read_seq);
        // What we could not send before the connection dropped goes again; the server keeps
        // one copy per client id.
        Object.keys(pending).forEach(function (clientId) {
          sendFrame({ type: "send", client_id: clientId, body: pending[clientId] });
        });
        break;
      case "message":
        if (frame.seq <= last) { return; }
        last = frame.seq;
        if (frame.from === side) { delete pending[frame.client_id]; }
        appendMessage(frame);
        if (frame.from !== side) { typingLine.hidden = true; }
        markRead();
        break;
      case "ack":
        delete pending[frame.client_id];
        break;
      case "typing":
        typingLine.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typingLine.hidden = true; }, 4000);
        break;
      case "read":
        showRead(frame.seq);
        break;
      case "closed":
        end();
        break;
      case "error":
        errorLine.textContent = frame.message + " " + frame.next_step;
        errorLine.hidden = false;
        break;
      default:
        break;
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + location.host + t.socket + "?conversation=" +
      encodeURIComponent(t.conversation) + "&after=" + last;
    socket = new WebSocket(url);
    socket.onopen = function () { attempts = 0; };
    socket.onmessage = function (event) {
      try { onFrame(JSON.parse(event.data)); } catch (ignored) { /* not ours */ }
    };
    socket.onclose = function () {
      if (ended) { return; }
      setStatus(t.tReconnecting);
      var delay = Math.min(10000, 300 * Math.pow(2, attempts));
      attempts += 1;
      setTimeout(connect, delay);
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || ended) { return; }
    var clientId = newClientId();
    pending[clientId] = text;
    appendPending(clientId, text);
    sendFrame({ type: "send", client_id: clientId, body: text });
    input.value = "";
    errorLine.hidden = true;
  });

  input.addEventListener("input", function () {
    if (Date.now() - typingSentAt > 2000) {
      typingSentAt = Date.now();
      sendFrame({ type: "typing" });
    }
  });

  endButton.addEventListener("click", function () { sendFrame({ type: "close" }); });
  document.addEventListener("visibilitychange", markRead);

  // Test hook and debugging aid: drop the connection as a network failure would.
  window.okpayChatDrop = function () { if (socket) { socket.close(); } };

  connect();
})();
