// The websocket client of docs/websocket-protocol.md: heartbeat every 10 s, resync on a gap in
// `seq`, reconnect with exponential backoff, and a visible indicator while disconnected.
"use strict";

function AcuerdoSocket(path, options) {
  this.path = path;
  this.onMessage = options.onMessage;
  this.onOpen = options.onOpen || function () {};
  this.heartbeat = options.heartbeat !== false;
  this.socket = null;
  this.lastSeq = null;
  this.attempt = 0;
  this.timer = null;
  this.beat = null;
  this.waitingAck = null;
  this.indicator = document.getElementById("connection");
  var self = this;
  window.addEventListener("offline", function () { self.drop(); });
  window.addEventListener("online", function () { self.reconnectSoon(0); });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !self.isOpen()) { self.reconnectSoon(0); }
  });
}

AcuerdoSocket.HEARTBEAT_MS = 10000;
AcuerdoSocket.ACK_TIMEOUT_MS = 5000;

AcuerdoSocket.prototype.isOpen = function () {
  return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
};

AcuerdoSocket.prototype.connect = function () {
  var self = this;
  clearTimeout(this.timer);
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var socket = new WebSocket(scheme + window.location.host + this.path);
  this.socket = socket;
  socket.addEventListener("open", function () {
    self.attempt = 0;
    self.showDisconnected(false);
    self.startHeartbeat();
    self.onOpen();
  });
  socket.addEventListener("message", function (event) {
    if (socket !== self.socket) { return; }
    self.clearAckWait();
    var message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    self.receive(message);
  });
  socket.addEventListener("close", function (event) {
    if (socket !== self.socket) { return; }
    self.stopHeartbeat();
    if (event.code === 4401) { window.location.assign("/login"); return; }
    self.showDisconnected(true);
    self.reconnectSoon(null);
  });
};

AcuerdoSocket.prototype.receive = function (message) {
  if (message.type === "snapshot") {
    // Built before a message this console already applied: it may undo it, so ask again.
    var stale = typeof message.seq === "number" && this.lastSeq !== null && message.seq < this.lastSeq;
    this.lastSeq = typeof message.seq === "number" ? message.seq : null;
    if (stale) { this.send({ type: "resync" }); }
  } else if (typeof message.seq === "number" && this.lastSeq !== null) {
    if (message.seq <= this.lastSeq) { return; }
    if (message.seq > this.lastSeq + 1) {
      this.lastSeq = message.seq;
      this.send({ type: "resync" });
    } else {
      this.lastSeq = message.seq;
    }
  }
  this.onMessage(message);
};

AcuerdoSocket.prototype.send = function (message) {
  if (!this.isOpen()) { return false; }
  message.v = 1;
  this.socket.send(JSON.stringify(message));
  return true;
};

AcuerdoSocket.prototype.startHeartbeat = function () {
  var self = this;
  this.stopHeartbeat();
  if (!this.heartbeat) { return; }
  var beat = function () {
    if (self.send({ type: "heartbeat" }) && self.waitingAck === null) {
      self.waitingAck = setTimeout(function () { self.drop(); }, AcuerdoSocket.ACK_TIMEOUT_MS);
    }
  };
  beat();
  this.beat = setInterval(beat, AcuerdoSocket.HEARTBEAT_MS);
};

AcuerdoSocket.prototype.clearAckWait = function () {
  clearTimeout(this.waitingAck);
  this.waitingAck = null;
};

AcuerdoSocket.prototype.stopHeartbeat = function () {
  clearInterval(this.beat);
  this.clearAckWait();
};

AcuerdoSocket.prototype.drop = function () {
  // The network went away or the server stopped answering: show it and start over.
  var socket = this.socket;
  this.socket = null;
  this.stopHeartbeat();
  this.showDisconnected(true);
  if (socket) { try { socket.close(); } catch (e) { /* already closed */ } }
  this.reconnectSoon(null);
};

AcuerdoSocket.prototype.reconnectSoon = function (delay) {
  var self = this;
  if (this.socket !== null && this.socket.readyState <= WebSocket.OPEN) { return; }
  clearTimeout(this.timer);
  if (delay === null) {
    var base = Math.min(10000, 500 * Math.pow(2, this.attempt));
    delay = base / 2 + Math.random() * base / 2;
    this.attempt += 1;
  }
  this.timer = setTimeout(function () {
    if (navigator.onLine === false) { self.reconnectSoon(null); return; }
    self.connect();
  }, delay);
};

AcuerdoSocket.prototype.showDisconnected = function (lost) {
  if (this.indicator) { this.indicator.hidden = !lost; }
  document.body.classList.toggle("disconnected", lost);
};
