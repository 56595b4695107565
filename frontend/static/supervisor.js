// The wallboard: a snapshot over /ws/supervisor, then agent changes as they happen; times tick.
"use strict";
(function () {
  var S = JSON.parse(document.getElementById("strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var agents = {}, calls = [], campaigns = [];
  var monitoring = {};  // attempt id -> the mode this supervisor is in the call with
  var nf = new Intl.NumberFormat(S.locale);
  var pf = new Intl.NumberFormat(S.locale, { style: "percent", maximumFractionDigits: 1 });

  var socket = new AcuerdoSocket("/ws/supervisor", { onMessage: handle, heartbeat: false });

  function handle(m) {
    if (m.type === "snapshot") {
      agents = {};
      m.agents.forEach(function (a) { agents[a.agent_id] = a; });
      calls = m.calls; campaigns = m.campaigns; drawDay(m);
      $("updated").textContent = new Date().toLocaleTimeString(S.locale);
      drawAll();
    } else if (m.type === "agent") {
      var a = agents[m.agent_id] || { agent_id: m.agent_id, name: "#" + m.agent_id };
      a.state = m.state; a.reason = m.reason || null;
      a.since = m.since || Date.now() / 1000;
      a.attempt_id = m.attempt_id || null;
      a.wrap_up_deadline = m.wrap_up_deadline || null; a.extended = !!m.extended;
      agents[m.agent_id] = a;
      drawAgents();
    } else if (m.type === "campaign_paused") {
      notice(m);
    } else if (m.type === "campaign") {
      campaigns.forEach(function (c) { if (c.campaign_id === m.campaign_id) { c.status = m.status; } });
      drawCampaigns();
    } else if (m.type === "pacing") {
      campaigns.forEach(function (c) { if (c.campaign_id === m.campaign_id) { c.pacing = m; } });
      drawCampaigns();
    } else if (m.type === "monitor") {
      if (m.mode) { monitoring[m.attempt_id] = m.mode; } else { delete monitoring[m.attempt_id]; }
      drawCalls();
    } else if (m.type === "error") {
      var p = document.createElement("p"); p.className = "error"; p.textContent = m.message;
      $("notices").appendChild(p);
    } else if (m.type === "live") {
      calls = m.calls; campaigns = m.campaigns; drawDay(m);
      $("updated").textContent = new Date().toLocaleTimeString(S.locale);
      drawCalls(); drawCampaigns();
    }
  }

  function cell(tr, value, cls) {
    var td = document.createElement("td"); td.textContent = value; if (cls) { td.className = cls; }
    tr.appendChild(td); return td;
  }
  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    return (h ? h + ":" + ("0" + m).slice(-2) : m) + ":" + ("0" + s).slice(-2);
  }

  // Stuck: in wrap-up after asking for more time, or past its deadline.
  function stuck(a) {
    if (a.state !== "wrap_up") { return false; }
    return a.extended || (a.wrap_up_deadline && Date.now() / 1000 > a.wrap_up_deadline);
  }

  function drawAgents() {
    var body = $("agents"); body.textContent = "";
    var list = Object.keys(agents).map(function (k) { return agents[k]; });
    var wrapping = list.filter(function (a) { return a.state === "wrap_up"; });
    var counts = {};
    list.forEach(function (a) { counts[a.state] = (counts[a.state] || 0) + 1; });
    $("state-counts").textContent = ["ready", "reserved", "on_call", "wrap_up", "paused", "offline"]
      .filter(function (st) { return counts[st]; })
      .map(function (st) { return (S.states[st] || st) + ": " + nf.format(counts[st]); }).join(" · ");
    $("wrap-up-summary").textContent = wrapping.length ? S.wrap_up_count
      .replace("{count}", nf.format(wrapping.length))
      .replace("{stuck}", nf.format(wrapping.filter(stuck).length)) : "";
    if (!list.length) { var tr = document.createElement("tr"); cell(tr, S.no_agents).colSpan = 4; body.appendChild(tr); return; }
    list.sort(function (x, y) { return x.name.localeCompare(y.name); });
    list.forEach(function (a) {
      var tr = document.createElement("tr"); tr.className = "state-" + a.state;
      cell(tr, a.name);
      var label = S.states[a.state] || a.state;
      if (a.state === "paused" && a.reason) { label += " (" + (S.reasons[a.reason] || a.reason) + ")"; }
      if (stuck(a)) { label += " — " + S.stuck; tr.classList.add("stuck"); }
      else if (a.state === "wrap_up" && a.extended) { label += " — " + S.extended; }
      cell(tr, label);
      var t = cell(tr, clock(Date.now() / 1000 - a.since), "num ticking"); t.dataset.since = a.since;
      cell(tr, a.attempt_id ? S.attempt + " " + a.attempt_id : "—");
      body.appendChild(tr);
    });
  }

  function drawDay(m) {
    if (m.operating_day) { $("day").textContent = S.day.replace("{day}", m.operating_day); }
    $("occupancy").textContent = S.occupancy.replace("{value}", m.occupancy == null ? "—" : pf.format(m.occupancy));
  }

  function drawCalls() {
    var list = $("calls"); list.textContent = "";
    if (!calls.length) { var li = document.createElement("li"); li.className = "muted"; li.textContent = S.no_calls; list.appendChild(li); return; }
    var received = Date.now() / 1000;
    calls.forEach(function (c) {
      var li = document.createElement("li");
      var who = c.agent_id && agents[c.agent_id] ? " · " + S.agent + ": " + agents[c.agent_id].name : "";
      var connected = c.connected_seconds != null;
      var age = document.createElement("span"); age.className = "num ticking";
      age.dataset.since = String(received - (connected ? c.connected_seconds : c.age_seconds));
      age.textContent = clock(connected ? c.connected_seconds : c.age_seconds);
      li.appendChild(document.createTextNode((c.campaign || "—") + " · " + c.creditor + " · " +
        (S.call_statuses[c.status] || c.status) + " " + S.for_time + " "));
      li.appendChild(age);
      li.appendChild(document.createTextNode(who));
      if (connected && c.agent_id) { li.appendChild(monitorButtons(c.attempt_id)); }
      list.appendChild(li);
    });
  }

  // Listen (muted), whisper (only the agent hears) or barge into a connected call; leave it.
  function monitorButtons(attemptId) {
    var span = document.createElement("span"); span.className = "monitor";
    var mode = monitoring[attemptId];
    if (mode) { span.appendChild(document.createTextNode(" · " + S.monitoring[mode] + " ")); }
    ["listen", "whisper", "barge"].forEach(function (choice) {
      if (choice === mode) { return; }
      var b = document.createElement("button"); b.type = "button"; b.textContent = S[choice];
      b.dataset.monitor = choice; b.dataset.attempt = String(attemptId);
      b.addEventListener("click", function () { socket.send({ type: "monitor", attempt_id: attemptId, mode: choice }); });
      span.appendChild(b);
    });
    if (mode) {
      var stop = document.createElement("button"); stop.type = "button"; stop.textContent = S.stop_monitoring;
      stop.addEventListener("click", function () { socket.send({ type: "monitor_stop", attempt_id: attemptId }); });
      span.appendChild(stop);
    }
    return span;
  }

  // A campaign's row: who and how it dials (with the pacer's latest decision and the supervisor's
  // start or pause) in its first cell, then the day's figures, so the row fits a 1,400 px screen.
  function drawCampaigns() {
    var body = $("campaigns"); body.textContent = "";
    if (!campaigns.length) { var tr0 = document.createElement("tr"); cell(tr0, S.no_campaigns).colSpan = 12; body.appendChild(tr0); return; }
    campaigns.forEach(function (c) {
      var tr = document.createElement("tr");
      tr.appendChild(campaignCell(c));
      cell(tr, nf.format(c.attempts), "num"); cell(tr, nf.format(c.contacts), "num");
      cell(tr, nf.format(c.right_party_contacts), "num"); cell(tr, nf.format(c.promises), "num");
      cell(tr, c.amount_promised_text || nf.format(Number(c.amount_promised)), "num");
      var over = c.abandon_rate > c.abandon_cap;
      var rate = cell(tr, pf.format(c.abandon_rate) + " / " + pf.format(c.abandon_cap) + (over ? " — " + S.over_cap : ""), "num");
      if (over) { rate.classList.add("alert"); }
      var over30 = c.abandon_rate_30d > c.abandon_cap;
      var rate30 = cell(tr, pf.format(c.abandon_rate_30d || 0), "num");
      if (over30) { rate30.classList.add("alert"); }
      cell(tr, c.service_level == null ? "—" : pf.format(c.service_level), "num");
      cell(tr, c.average_handle_seconds == null ? "—" : clock(c.average_handle_seconds), "num");
      cell(tr, nf.format(Math.round((c.connects_per_hour || 0) * 10) / 10), "num");
      cell(tr, nf.format(Math.round((c.rpc_per_hour || 0) * 10) / 10), "num");
      body.appendChild(tr);
    });
  }

  function line(parent, text, cls) {
    var div = document.createElement("div"); div.textContent = text; if (cls) { div.className = cls; }
    parent.appendChild(div); return div;
  }

  function campaignCell(c) {
    var td = document.createElement("td"); td.className = "campaign";
    var name = document.createElement("strong"); name.textContent = c.name; td.appendChild(name);
    if (c.creditor) { line(td, c.creditor, "muted"); }
    var how = line(td, "");
    var status = document.createElement("span"); status.className = "badge status-" + c.status;
    status.textContent = S.statuses[c.status] || c.status; how.appendChild(status);
    how.appendChild(document.createTextNode(" " + (S.modes[c.dialing_mode] || c.dialing_mode) + " "));
    if (c.status === "active" || c.status === "paused" || c.status === "draft") {
      var action = c.status === "active" ? "pause" : "start";
      var form = document.createElement("form"); form.className = "inline-action";
      form.method = "post"; form.action = "/supervisor/campaigns/" + c.campaign_id + "/" + action;
      var button = document.createElement("button"); button.type = "submit"; button.textContent = S[action];
      button.setAttribute("aria-label", S[action] + " " + c.name);
      form.appendChild(button); how.appendChild(form);
    }
    if (c.dialing_mode !== "preview") {  // agents place preview calls: no pacer decides
      line(td, S.pacing + ": " + (c.pacing ? c.pacing.reason : S.no_decision), "muted small");
    }
    return td;
  }

  function notice(m) {
    var name = "#" + m.campaign_id;
    campaigns.forEach(function (c) { if (c.campaign_id === m.campaign_id) { name = c.name; c.status = "paused"; } });
    var p = document.createElement("p"); p.className = "error";
    p.textContent = S.paused_over_cap.replace("{name}", name).replace("{abandons}", nf.format(m.abandons))
      .replace("{live}", nf.format(m.live_answers)).replace("{cap}", pf.format(m.cap));
    $("notices").appendChild(p);
    drawCampaigns();
  }

  function drawAll() { drawAgents(); drawCalls(); drawCampaigns(); }

  setInterval(function () {
    document.querySelectorAll("#agents .ticking, #calls .ticking").forEach(function (td) {
      td.textContent = clock(Date.now() / 1000 - Number(td.dataset.since));
    });
  }, 1000);
  socket.connect();
})();
