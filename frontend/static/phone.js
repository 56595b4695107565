/* The agent's browser phone in live mode: a Twilio Voice Device registered as this agent.
   Routing adds the agent's leg to the debtor's conference (client:agent-N); the Device answers it
   at once, because the agent already took the call on the console. The access token comes from
   /api/voice/token and is renewed before it expires. */
(function () {
  "use strict";
  var S = JSON.parse(document.getElementById("strings").textContent);
  var status = document.getElementById("phone-status");

  function show(text, ok) {
    status.textContent = text;
    status.className = ok ? "phone-ok" : "muted phone-error";
  }

  function fetchToken() {
    return fetch("/api/voice/token", { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("voice token: HTTP " + r.status); }
      return r.json();
    });
  }

  if (!window.Twilio || !window.Twilio.Device) { show(S.phone_offline, false); return; }
  show(S.phone_connecting, false);
  fetchToken().then(function (t) {
    var device = new window.Twilio.Device(t.token, { closeProtection: true, codecPreferences: ["opus", "pcmu"] });
    device.on("registered", function () { show(S.phone_ready, true); });
    device.on("unregistered", function () { show(S.phone_offline, false); });
    device.on("error", function () { show(S.phone_offline, false); });
    device.on("incoming", function (call) { call.accept(); });
    device.on("tokenWillExpire", function () {
      fetchToken().then(function (fresh) { device.updateToken(fresh.token); })
        .catch(function () { show(S.phone_offline, false); });
    });
    device.register().catch(function () { show(S.phone_offline, false); });
  }).catch(function () { show(S.phone_offline, false); });
})();
