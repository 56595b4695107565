// Shared by every page: language switch, sign-out, the viewer's time zone.
"use strict";
(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && document.cookie.indexOf("acuerdo_tz=" + zone) === -1) {
    document.cookie = "acuerdo_tz=" + zone + "; path=/; SameSite=Lax; max-age=31536000";
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    var out = document.getElementById("sign-out");
    if (out) {
      out.addEventListener("click", function () {
        fetch("/auth/logout", { method: "POST", credentials: "same-origin" })
          .finally(function () { window.location.assign("/login"); });
      });
    }
  });
})();
