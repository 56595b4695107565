// The agent console: state, call banner, account, timeline, script, options and outcome form,
// all drawn from the server's messages. Drafts live on the server (never in browser storage).
"use strict";
(function () {
  var S = JSON.parse(document.getElementById("strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var view = { agent: null, call: null, screen: null, step: null, deadline: null, preview: null };
  var pendingDraft = null;   // typed while disconnected: sent as soon as the socket is back
  var submitKey = null;      // one key per outcome, reused if the submission is retried
  var draftTimer = null;
  var notice = "";           // the last thing to tell the agent, kept across a cleared form
  var dateFmt = new Intl.DateTimeFormat(S.locale, { dateStyle: "medium" });
  var timeFmt = new Intl.DateTimeFormat(S.locale, { dateStyle: "medium", timeStyle: "short", timeZone: S.tz });

  var socket = new AcuerdoSocket("/ws/agent", {
    onMessage: handle,
  });

  function text(id, value) { $(id).textContent = value == null ? "" : String(value); }
  function day(iso) { return iso ? dateFmt.format(new Date(iso + "T12:00:00")) : ""; }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function handle(m) {
    switch (m.type) {
      case "snapshot": applySnapshot(m); break;
      case "state": applyState(m); break;
      case "offer":
        view.call = { attempt_id: m.attempt_id, status: "connected", inbound: m.direction === "inbound", transferred_from: m.transferred_from || null };
        applyState({ state: "on_call", since: Date.now() / 1000, reason: null });
        view.deadline = null; submitKey = null; pendingDraft = null; notice = "";
        clearTimeout(draftTimer);  // a draft of the previous call is not sent under this one
        if (m.transferred_from_name) { names[m.transferred_from] = m.transferred_from_name; }
        if (m.transferred_from) { notice = S.transferred_from.replace("{name}", agentName(m.transferred_from)); }
        askTargets();
        clearForm(); showScreen(m.screen); view.step = null; showStep(null); drawBanner(); drawMonitor({ mode: null });
        $("disposition").focus();
        break;
      case "screen": if (view.call && m.attempt_id === view.call.attempt_id) { showScreen(m.screen); } break;
      case "preview": showPreview(m); break;
      case "call": applyCall(m); break;
      case "transfer_targets": drawTargets(m.agents); break;
      case "supervisor_monitor": drawMonitor(m); break;
      case "wrap_up":
        if (view.call) {
          view.deadline = deadlineMs(m.deadline); view.most = deadlineMs(m.most);
          if (m.extended) { text("draft-status", S.extended); }
          drawBanner();
        }
        break;
      case "outcome_ack":
        if (notice !== S.kept_until_end) { notice = S.saved; }
        text("draft-status", notice); $("form-errors").textContent = "";
        submitKey = null; pendingDraft = null;
        socket.send({ type: "resync" });
        break;
      case "error":
        if (m.ref === "transfer_targets") { break; }  // asked in the background; the list stays
        $("form-errors").textContent = m.message;
        if (m.ref === "submit_outcome") { $("form-errors").focus && $("btn-save").focus(); }
        break;
    }
  }

  // Call control: hang up, hold, mute, transfer, redial (server-side, through the conference).
  var names = {};
  function agentName(id) { return names[id] || ("#" + id); }

  function applyCall(m) {
    if (m.status && m.status !== "connected") { drawMonitor({ mode: null }); }
    if (m.status === "dialing") {
      hidePreview(); notice = "";
      view.call = { attempt_id: m.attempt_id, status: "dialing" };
    } else if (m.status === "no_answer" || m.status === "machine" || m.status === "transferred" || m.status === "transfer_cancelled") {
      notice = S[m.status]; text("draft-status", notice);
    } else if (view.call && m.attempt_id === view.call.attempt_id) {
      ["status", "on_hold", "muted", "consulting", "outcome_saved"].forEach(function (k) {
        if (k in m) { view.call[k] = m[k]; }
      });
      if (m.transferred_from) { view.call.transferred_from = m.transferred_from; }
      if (m.status === "ended" && notice === S.kept_until_end) { notice = S.saved; }
      if (m.outcome_saved && view.call.status === "connected") {
        clearTimeout(draftTimer); pendingDraft = null; notice = S.kept_until_end; text("draft-status", notice);
      }
    }
    drawBanner();
  }

  function callAction(type, extra) {
    if (!view.call) { return; }
    var msg = { type: type, attempt_id: view.call.attempt_id };
    Object.keys(extra || {}).forEach(function (k) { msg[k] = extra[k]; });
    socket.send(msg);
  }
  function askTargets() { callAction("transfer_targets"); }
  function toggleHold() { if (view.call) { callAction(view.call.on_hold ? "resume" : "hold"); } }
  function toggleMute() { if (view.call) { callAction(view.call.muted ? "unmute" : "mute"); } }
  function transfer() {
    var to = Number($("transfer-to").value);
    if (!to) { $("form-errors").textContent = S.no_targets; askTargets(); return; }
    callAction("transfer", { to_agent_id: to, mode: $("transfer-mode").value });
  }
  function redial() {
    if (!view.call || !view.agent || view.agent.state !== "wrap_up") { return; }
    var form = readForm();
    if (!form.disposition) { $("form-errors").textContent = S.choose_disposition; $("disposition").focus(); return; }
    submitKey = submitKey || newKey();
    callAction("redial", { key: submitKey, outcome: form });
  }
  function drawTargets(agents) {
    var select = $("transfer-to"), chosen = select.value; select.textContent = "";
    var ready = agents.filter(function (a) { names[a.id] = a.name; return a.state === "ready"; });
    agents.forEach(function (a) {
      var opt = document.createElement("option");
      opt.value = a.state === "ready" ? String(a.id) : "";
      opt.disabled = a.state !== "ready";
      opt.textContent = a.name + " · " + (S.states[a.state] || a.state);
      select.appendChild(opt);
    });
    if (!ready.length) {
      var none = document.createElement("option"); none.value = ""; none.textContent = S.no_targets;
      select.insertBefore(none, select.firstChild);
    }
    select.value = ready.some(function (a) { return String(a.id) === chosen; }) ? chosen : (ready.length ? String(ready[0].id) : "");
  }
  $("btn-hangup").addEventListener("click", function () { callAction("hang_up"); });
  $("btn-hold").addEventListener("click", toggleHold);
  $("btn-mute").addEventListener("click", toggleMute);
  $("transfer-to").addEventListener("focus", askTargets);
  $("transfer-form").addEventListener("submit", function (e) { e.preventDefault(); transfer(); });
  $("btn-transfer-complete").addEventListener("click", function () { callAction("transfer_complete"); });
  $("btn-transfer-cancel").addEventListener("click", function () { callAction("transfer_cancel"); });
  $("btn-redial").addEventListener("click", redial);
  function moreTime() {
    if (view.call && view.agent && view.agent.state === "wrap_up") { callAction("wrap_up_more"); }
  }
  $("btn-more-time").addEventListener("click", moreTime);

  function drawControls(state) {
    var c = view.call, connected = !!c && state === "on_call";
    $("outcome-fields").disabled = !view.screen || !!(c && c.outcome_saved);
    $("call-controls").hidden = !connected;
    $("redial-panel").hidden = !(c && state === "wrap_up");
    $("btn-more-time").disabled = !!(view.most && view.deadline && view.deadline >= view.most);
    $("btn-more-time").title = $("btn-more-time").disabled ? S.at_most : "";
    if (!connected) { return; }
    $("btn-hold").setAttribute("aria-pressed", c.on_hold ? "true" : "false");
    $("btn-hold").querySelector("span").textContent = c.on_hold ? S.resume : S.hold;
    $("btn-mute").setAttribute("aria-pressed", c.muted ? "true" : "false");
    $("btn-mute").querySelector("span").textContent = c.muted ? S.unmute : S.mute;
    $("transfer-form").hidden = !!c.consulting;
    $("consult").hidden = !c.consulting;
    var flags = [];
    if (c.on_hold) { flags.push(S.on_hold); }
    if (c.muted) { flags.push(S.muted); }
    if (c.consulting) { flags.push(S.consulting.replace("{name}", agentName(c.consulting))); }
    if (c.transferred_from) { flags.push(S.transferred_from.replace("{name}", agentName(c.transferred_from))); }
    text("call-flags", flags.join(" "));
  }

  function showPreview(m) {
    view.preview = { account_id: m.account_id };
    showScreen(m.screen);
    $("preview").hidden = false;
    drawBanner();
    $("btn-preview-call").focus();
  }

  function hidePreview() { view.preview = null; $("preview").hidden = true; }

  function previewAction(type) {
    if (!view.preview) { return; }
    var msg = { type: type, account_id: view.preview.account_id };
    if (type === "preview_skip") { msg.reason = "skipped by agent"; }
    socket.send(msg);
  }
  $("btn-preview-call").addEventListener("click", function () { previewAction("preview_call"); });
  $("btn-preview-skip").addEventListener("click", function () { previewAction("preview_skip"); });

  function deadlineMs(value) {
    if (value == null) { return null; }
    return typeof value === "number" ? value * 1000 : Date.parse(value);
  }

  function applySnapshot(m) {
    // The state buttons work once the server has said where the agent stands.
    $("btn-ready").disabled = false; $("btn-pause").disabled = false;
    applyState(m.agent);
    hidePreview();
    drawCallbacks(m.callbacks || []);
    var monitor = (m.monitors || [])[0];
    drawMonitor(monitor && m.call && m.call.status === "connected" ? monitor : { mode: null });
    if (m.call && m.screen) {
      var sameCall = view.call && view.call.attempt_id === m.call.attempt_id;
      view.call = {
        attempt_id: m.call.attempt_id, status: m.call.status, on_hold: !!m.call.on_hold,
        muted: !!m.call.muted, consulting: m.call.consulting || null,
        transferred_from: m.call.transferred_from || null, outcome_saved: !!m.call.outcome_saved,
        inbound: m.screen.direction === "inbound",
      };
      view.deadline = deadlineMs(m.call.wrap_up_deadline); view.most = deadlineMs(m.call.wrap_up_most);
      showScreen(m.screen);
      if (!sameCall) { submitKey = null; }
      if (pendingDraft !== null && sameCall) {
        sendDraft();
      } else {
        clearForm();
        if (m.draft && Object.keys(m.draft).length) { fillForm(m.draft); text("draft-status", S.restored); }
        if (view.call.outcome_saved) { notice = S.kept_until_end; text("draft-status", notice); }
      }
      view.step = m.script_step || null;
      showStep(view.step);
    } else {
      view.call = null; view.screen = null; view.deadline = null; pendingDraft = null;
      clearForm(); showScreen(null); showStep(null);
      if (m.preview) { showPreview(m.preview); }
    }
    drawBanner();
  }

  function applyState(a) {
    view.agent = { state: a.state, since: a.since ? a.since * 1000 : Date.now(), reason: a.reason };
    $("state-label").className = "badge state-" + a.state;
    text("state-reason", a.state === "paused" && a.reason ? (S.reasons[a.reason] || a.reason) : "");
    if (a.state === "ready" && view.call) {
      view.call = null; view.screen = null; clearForm(); showScreen(null); showStep(null);
    }
    drawBanner();
  }

  // A supervisor listening, whispering or barging: a banner with their name until they leave.
  function drawMonitor(m) {
    var banner = $("monitor-banner");
    var template = m.mode ? S["monitor_" + m.mode] : null;
    banner.hidden = !template;
    banner.textContent = template ? template.replace("{name}", m.supervisor) : "";
  }

  function drawBanner() {
    var banner = $("call-banner"), state = view.agent ? view.agent.state : "offline";
    var cls = "idle", title = S.no_call, detail = "";
    if (state === "ready" && !view.call) { title = S.waiting; cls = "waiting"; }
    if (state === "reserved") { title = S.reserved; cls = "ringing"; }
    if (state === "reserved" && view.preview) { title = S.previewing; cls = "waiting"; }
    if (state === "reserved" && view.call && view.call.status === "dialing") { title = S.dialing; }
    if (view.call && state === "on_call") { title = S.connected; cls = "connected"; }
    if (view.call && view.call.inbound && state === "on_call") { title = S.inbound_call; detail = S.inbound_detail; }
    if (view.call && (state === "wrap_up" || view.call.status === "ended")) {
      title = S.wrap_up; cls = "wrapup";
      if (view.deadline) {
        var left = Math.max(0, Math.round((view.deadline - Date.now()) / 1000));
        detail = left + " " + S.seconds_left;
      } else { detail = S.ended; }
    }
    var label = S.states[state] || state;
    if (state === "reserved" && view.preview) { label = S.state_previewing; }
    if (state === "reserved" && view.call && view.call.status === "dialing") { label = S.state_dialing; }
    if (state === "ready" && !view.call && notice) { detail = notice; }
    $("state-label").textContent = label;
    drawControls(state);
    banner.className = "banner " + cls;
    text("call-title", title);
    text("call-detail", detail);
  }

  function clock(since) {
    var s = Math.max(0, Math.floor((Date.now() - since) / 1000));
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }
  function tick() {
    if (view.agent) {
      text("state-timer", clock(view.agent.since));
      if (view.agent.state === "on_call") { text("call-timer", clock(view.agent.since)); }
    }
    if (view.deadline) { drawBanner(); }
    drawLocal();
  }
  setInterval(tick, 1000);

  function zoneTimes(zones, at) {
    return zones.map(function (zone) {
      var f = new Intl.DateTimeFormat(S.locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
      return f.format(at) + " (" + zone + ")";
    }).join(" · ");
  }

  function drawLocal() {
    var d = view.screen && view.screen.debtor;
    if (!d || !d.timezones) { return; }
    text("f-local", zoneTimes(d.timezones, new Date()));
    $("zones-note").hidden = d.timezones.length < 2;
  }

  function showScreen(screen) {
    view.screen = screen;
    $("account").hidden = !screen; $("account-empty").hidden = !!screen;
    $("script").hidden = !screen; $("script-empty").hidden = !!screen;
    $("options-panel").hidden = !screen;
    $("outcome-fields").disabled = !screen;
    if (!screen) { drawTimeline([]); return; }
    var a = screen.account, d = screen.debtor;
    text("f-name", d.name); text("f-national-id", d.national_id || "—");
    text("f-creditor", a.creditor); text("f-product", a.product || "—"); text("f-ref", a.ref);
    text("f-balance", a.balance_text || a.balance); text("f-days", a.days_overdue); text("f-bucket", a.bucket);
    drawLocal();
    $("masked-note").hidden = screen.verified; $("btn-verify").hidden = screen.verified;
    if (screen.verified) { text("draft-status", S.verified); }
    var contacts = $("contacts"); contacts.textContent = "";
    screen.contact_points.forEach(function (p) {
      var li = document.createElement("li");
      var parts = [p.shown || p.value];
      Object.keys(p.channels).forEach(function (ch) {
        var c = p.channels[ch];
        parts.push((S.channels[ch] || ch) + ": " + (c.opted_out_at ? S.opted_out : (c.opted_in_at ? S.opted_in : "—")));
      });
      if (p.invalid) { parts.push(S.invalid); }
      li.textContent = parts.join(" · ");
      contacts.appendChild(li);
    });
    drawTimeline(screen.timeline);
    drawOptions(screen.options);
    text("script-title", screen.script.title);
    showStep(view.step);
  }

  function drawTimeline(entries) {
    var list = $("timeline"); list.textContent = "";
    if (!entries.length) { var li = document.createElement("li"); li.className = "muted"; li.textContent = S.nothing; list.appendChild(li); return; }
    entries.forEach(function (e) {
      var li = document.createElement("li");
      var what = [S.kinds[e.kind] || e.kind];
      if (e.direction === "inbound") { what.push(S.inbound_call); }
      (e.ivr || []).forEach(function (step) { if (S.ivr[step]) { what.push(S.ivr[step]); } });
      if (e.channel) { what.push(S.channels[e.channel] || e.channel); }
      if (e.disposition) { what.push(S.dispositions[e.disposition] || e.disposition); }
      if (e.action) { what.push(S.self_service_actions[e.action] || e.action); }
      if (e.request_kind) { what.push(e.request_kind + " (" + e.law + ")"); }
      // The call on screen is this one: its status was read when it was dialed.
      var current = e.kind === "attempt" && view.call && e.attempt_id === view.call.attempt_id;
      if (current) { what.push(S.this_call); } else if (e.status) { what.push(S.call_statuses[e.status] || e.status); }
      if (e.campaign) { what.push(e.campaign); }
      if (e.body) { what.push("“" + e.body + "”"); }
      if (e.local && e.local.length) {
        what.push(S.local_time + ": " + e.local.map(function (l) { return l.time + " (" + l.zone + ")"; }).join(", "));
      }
      var time = document.createElement("time"); time.dateTime = e.at; time.textContent = timeFmt.format(new Date(e.at));
      li.appendChild(time); li.appendChild(document.createTextNode(" " + what.join(" · ")));
      list.appendChild(li);
    });
  }

  function drawOptions(o) {
    text("o-latest", day(o.latest_date)); text("o-latest-2", day(o.latest_date));
    text("o-discounted", o.discounted_balance.text);
    text("o-discount-text", o.discount_pct + "% " + S.discount + ": " + o.discount_amount.text);
    text("o-balance", o.balance.text); text("o-down", o.min_down_payment.text); text("o-max", o.max_installments);
    var choice = $("plan-choice"); choice.textContent = "";
    o.plans.forEach(function (plan, i) {
      var opt = document.createElement("option");
      opt.value = String(i);
      opt.textContent = S.down_payment + " " + plan.down_payment.text + " + " + plan.installments + " " + S.instalments_of + " " + plan.installment_amount.text;
      choice.appendChild(opt);
    });
    if (o.plans.length) { choice.value = String(o.plans.length - 1); }
    drawSchedule();
  }

  function selectedPlan() {
    var o = view.screen && view.screen.options;
    return o && o.plans.length ? o.plans[Number($("plan-choice").value || 0)] : null;
  }

  function drawSchedule() {
    var body = $("plan-schedule"); body.textContent = "";
    var plan = selectedPlan(); if (!plan) { return; }
    plan.schedule.forEach(function (p) {
      var tr = document.createElement("tr");
      [p.number === 0 ? S.down_payment : String(p.number), day(p.due_date), p.text].forEach(function (v) {
        var td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  $("plan-choice").addEventListener("change", drawSchedule);

  function showStep(stepId) {
    if (!view.screen) { return; }
    var script = view.screen.script;
    var step = script.steps[stepId] || script.steps[script.start];
    if (!step) { return; }
    text("step-title", step.title); text("step-text", step.text);
    var box = $("step-branches"); box.textContent = "";
    step.branches.forEach(function (b, i) {
      var btn = document.createElement("button");
      btn.type = "button"; btn.textContent = b.label; btn.dataset.next = b.next;
      if (i === 0) { btn.setAttribute("aria-keyshortcuts", "Alt+N"); }
      btn.addEventListener("click", function () { goStep(b.next); });
      box.appendChild(btn);
    });
    if (step.outcome) {
      var rec = document.createElement("button");
      rec.type = "button"; rec.className = "primary";
      rec.textContent = S.record + ": " + (S.dispositions[step.outcome] || step.outcome);
      rec.addEventListener("click", function () { chooseDisposition(step.outcome); });
      box.appendChild(rec);
    }
  }

  function goStep(next) {
    view.step = next; showStep(next);
    if (view.call) { socket.send({ type: "script_step", attempt_id: view.call.attempt_id, step: next }); }
    var first = $("step-branches").querySelector("button"); if (first) { first.focus(); }
  }
  $("btn-restart").addEventListener("click", function () { goStep(view.screen.script.start); });

  // The outcome form.
  function activeGroup() {
    return document.querySelector('.group[data-for="' + $("disposition").value + '"]');
  }
  function drawGroups() {
    document.querySelectorAll(".group").forEach(function (g) { g.hidden = g !== activeGroup(); });
  }
  function readForm() {
    var form = { disposition: $("disposition").value };
    var group = activeGroup();
    if (group) {
      group.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (el.type === "checkbox") { form[el.name] = el.checked; }
        else if (el.value !== "") { form[el.name] = el.value; }
      });
    }
    if ($("notes").value) { form.notes = $("notes").value; }
    return form;
  }
  function fillForm(draft) {
    $("disposition").value = draft.disposition || "";
    drawGroups();
    var group = activeGroup();
    if (group) {
      group.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (!(el.name in draft)) { return; }
        if (el.type === "checkbox") { el.checked = !!draft[el.name]; } else { el.value = draft[el.name]; }
      });
    }
    $("notes").value = draft.notes || "";
  }
  function clearForm() {
    $("outcome-form").reset(); drawGroups(); $("form-errors").textContent = ""; text("draft-status", notice);
  }
  function sendDraft() {
    if (!view.call || view.call.outcome_saved) { return; }
    var form = pendingDraft || readForm();
    if (socket.send({ type: "draft", attempt_id: view.call.attempt_id, form: form })) {
      pendingDraft = null; text("draft-status", S.draft_saved);
    } else {
      pendingDraft = form; text("draft-status", S.draft_pending);
    }
  }
  function draftSoon() {
    clearTimeout(draftTimer);
    if (view.call && view.call.outcome_saved) { return; }
    pendingDraft = readForm();
    if (!socket.isOpen()) { text("draft-status", S.draft_pending); return; }
    draftTimer = setTimeout(sendDraft, 300);
  }
  $("outcome-form").addEventListener("input", draftSoon);
  $("outcome-form").addEventListener("change", function (e) { if (e.target.id === "disposition") { drawGroups(); } draftSoon(); });

  function chooseDisposition(code) {
    $("disposition").value = code; drawGroups(); draftSoon();
    var first = activeGroup() && activeGroup().querySelector("input, select, textarea");
    (first || $("notes")).focus();
  }
  function submit() {
    if (!view.call) { return; }
    var form = readForm();
    if (!form.disposition) { $("form-errors").textContent = S.choose_disposition; $("disposition").focus(); return; }
    $("form-errors").textContent = ""; clearTimeout(draftTimer); pendingDraft = null;
    submitKey = submitKey || newKey();
    socket.send({ type: "submit_outcome", attempt_id: view.call.attempt_id, key: submitKey, outcome: form });
  }
  $("outcome-form").addEventListener("submit", function (e) { e.preventDefault(); submit(); });

  $("use-discounted").addEventListener("click", function () {
    var o = view.screen.options; chooseDisposition("promise_to_pay");
    $("ptp-amount").value = o.discounted_balance.value; $("ptp-date").value = o.latest_date; draftSoon();
  });
  $("use-balance").addEventListener("click", function () {
    var o = view.screen.options; chooseDisposition("promise_to_pay");
    $("ptp-amount").value = o.balance.value; $("ptp-date").value = o.latest_date; draftSoon();
  });
  $("use-plan").addEventListener("click", function () {
    var plan = selectedPlan(); if (!plan) { return; }
    chooseDisposition("payment_plan");
    $("plan-down").value = plan.down_payment.value; $("plan-count").value = plan.installments;
    $("plan-first").value = plan.schedule[0].due_date; draftSoon();
  });

  // State control.
  function setState(state, reason) {
    if ($("btn-ready").disabled) { return; }
    socket.send({ type: "set_state", state: state, reason: reason || "" });
  }
  $("btn-ready").addEventListener("click", function () { setState("ready"); });
  $("pause-form").addEventListener("submit", function (e) { e.preventDefault(); setState("paused", $("pause-reason").value); });
  $("btn-verify").addEventListener("click", function () {
    if (view.call) { socket.send({ type: "verify_party", attempt_id: view.call.attempt_id }); }
  });

  function drawCallbacks(items) {
    var list = $("callbacks"); list.textContent = "";
    if (!items.length) { var li = document.createElement("li"); li.className = "muted"; li.textContent = S.no_callbacks; list.appendChild(li); return; }
    items.forEach(function (c) {
      var li = document.createElement("li");
      li.textContent = timeFmt.format(new Date(c.due_at)) + " · " + c.creditor + " · " + c.account;
      list.appendChild(li);
    });
  }

  // Keyboard shortcuts.
  var order = Array.prototype.slice.call($("disposition").options, 1).map(function (o) { return o.value; });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey && e.key === "Enter") { e.preventDefault(); submit(); return; }
    if (!e.altKey || e.ctrlKey || e.metaKey) { return; }
    var key = e.key.toLowerCase();
    if (e.code && e.code.indexOf("Digit") === 0) { key = e.code.slice(5); }
    else if (e.code && e.code.indexOf("Key") === 0) { key = e.code.slice(3).toLowerCase(); }
    if (key === "r") { e.preventDefault(); setState("ready"); }
    else if (key === "p") { e.preventDefault(); setState("paused", $("pause-reason").value); }
    else if (key === "v") { e.preventDefault(); $("btn-verify").click(); }
    else if (key === "c" && view.preview) { e.preventDefault(); previewAction("preview_call"); }
    else if (key === "s" && view.preview) { e.preventDefault(); previewAction("preview_skip"); }
    else if (key === "h" && view.call) { e.preventDefault(); callAction("hang_up"); }
    else if (key === "o" && view.call) { e.preventDefault(); toggleHold(); }
    else if (key === "m" && view.call) { e.preventDefault(); toggleMute(); }
    else if (key === "t" && view.call) { e.preventDefault(); transfer(); }
    else if (key === "d" && view.call) { e.preventDefault(); redial(); }
    else if (key === "w" && view.call) { e.preventDefault(); moreTime(); }
    else if (key === "n") { e.preventDefault(); var b = $("step-branches").querySelector("button"); if (b) { b.click(); } }
    else if (/^[0-9]$/.test(key) && view.call) {
      var index = key === "0" ? 9 : Number(key) - 1;
      if (order[index]) { e.preventDefault(); chooseDisposition(order[index]); }
    }
  });

  drawGroups();
  socket.connect();
})();
