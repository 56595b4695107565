// Sign-in: post the form to /auth/login, then go to the role's start page.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("login-form");
  var error = document.getElementById("login-error");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.textContent = "";
    fetch("/auth/login", { method: "POST", body: new URLSearchParams(new FormData(form)),
                           headers: { "Accept-Language": document.documentElement.lang },
                           credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) { window.location.assign("/"); return null; }
        return response.json().then(function (body) {
          error.textContent = body.error || response.statusText;
          document.getElementById("password").value = "";
          document.getElementById("password").focus();
        });
      })
      .catch(function () { error.textContent = form.dataset.offline || "…"; });
  });
});
