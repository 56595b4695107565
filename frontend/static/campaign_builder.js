// The campaign builder: rows added, moved and removed; the live account count; templates and
// script steps rendered for a sample account and checked as they are typed. The form still
// posts as a plain form without this script.
"use strict";
(function () {
  var form, keyCounter = 0;

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, wait);
    };
  }

  function renumber() {
    form.querySelectorAll("[data-list='steps'] > [data-row]").forEach(function (row, index) {
      var cell = row.querySelector("[data-order]");
      if (cell) { cell.textContent = String(index + 1); }
    });
  }

  function fromTemplate(id, key) {
    var html = document.getElementById(id).innerHTML.split("__KEY__").join(key || "");
    var holder = document.createElement(id === "new-steps" ? "tbody" : "div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    row.querySelectorAll("[id]").forEach(function (el) { el.id = el.id + "-n" + (++keyCounter); });
    row.querySelectorAll("label[for]").forEach(function (label) {
      label.htmlFor = label.htmlFor + "-n" + keyCounter;
    });
    return row;
  }

  function enable(root) {
    root.querySelectorAll("[data-js]").forEach(function (el) { el.hidden = false; });
    root.querySelectorAll("[data-live]").forEach(watchText);
  }

  function refreshLists() {
    var names = document.getElementById("template-names");
    var seen = {};
    Array.prototype.forEach.call(names.querySelectorAll("option"), function (o) { seen[o.value] = o; });
    form.querySelectorAll("[data-template-name]").forEach(function (input) {
      if (input.value && !seen[input.value]) {
        var option = document.createElement("option");
        option.value = input.value;
        names.appendChild(option);
        seen[input.value] = option;
      }
    });
    var ids = document.getElementById("script-ids");
    ids.innerHTML = "";
    form.querySelectorAll("[data-script-id]").forEach(function (input) {
      if (input.value) {
        var option = document.createElement("option");
        option.value = input.value;
        ids.appendChild(option);
      }
    });
  }

  function filterParams() {
    var params = new URLSearchParams();
    params.set("client", form.dataset.client);
    form.querySelectorAll("[data-filter]").forEach(function (el) {
      if (el.type === "checkbox") {
        if (el.checked) { params.append(el.name, el.value); }
      } else if (el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { params.append(el.name, o.value); });
      } else if (el.value) {
        params.set(el.name, el.value);
      }
    });
    return params;
  }

  function countMatches() {
    var params = filterParams();
    fetch(form.dataset.countUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) { document.getElementById("match-count").textContent = data.text; }
      });
  }

  function checkText(area) {
    var out = area.parentElement.querySelector("[data-live-out]");
    if (!out) { return; }
    if (!area.value.trim()) { out.textContent = ""; out.className = "live"; return; }
    var body = filterParams();
    body.set("text", area.value);
    fetch(form.dataset.checkUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        out.innerHTML = "";
        out.className = "live " + (data.ok ? "ok" : "refused");
        if (data.rendered) {
          var preview = document.createElement("span");
          preview.className = "rendered";
          preview.textContent = data.rendered;
          out.appendChild(preview);
        }
        if (data.problem) {
          var problem = document.createElement("span");
          problem.className = "error";
          problem.setAttribute("role", "alert");
          problem.textContent = data.problem;
          out.appendChild(problem);
        }
        if (area.hasAttribute("data-sms")) {
          var length = document.createElement("small");
          length.className = "muted length";
          length.textContent = data.length;
          out.appendChild(length);
        }
      });
  }

  function watchText(area) {
    var run = debounce(function () { checkText(area); }, 300);
    area.addEventListener("input", run);
    if (area.value.trim()) { checkText(area); }
  }

  function onClick(event) {
    var button = event.target.closest("button[type='button']");
    if (!button || !form.contains(button)) { return; }
    var row = button.closest("[data-row]");
    if (button.hasAttribute("data-remove") && row) {
      row.remove();
    } else if (button.hasAttribute("data-move") && row) {
      var up = button.getAttribute("data-move") === "-1";
      var sibling = up ? row.previousElementSibling : row.nextElementSibling;
      if (sibling && sibling.hasAttribute("data-row")) {
        row.parentElement.insertBefore(row, up ? sibling : sibling.nextElementSibling);
      }
    } else if (button.hasAttribute("data-add")) {
      var name = button.getAttribute("data-add");
      var key = "n" + (++keyCounter);
      var added = fromTemplate("new-" + name, key);
      form.querySelector("[data-list='" + name + "']").appendChild(added);
      enable(added);
      var first = added.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    } else if (button.hasAttribute("data-add-branch")) {
      var owner = button.getAttribute("data-add-branch");
      var branch = fromTemplate("new-branch", owner);
      form.querySelector("[data-list='branch-" + owner + "']").appendChild(branch);
      enable(branch);
    }
    renumber();
    refreshLists();
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("builder");
    if (!form) { return; }
    enable(form);
    form.addEventListener("click", onClick);
    var count = debounce(countMatches, 250);
    form.querySelectorAll("[data-filter]").forEach(function (el) {
      el.addEventListener("input", count);
      el.addEventListener("change", count);
    });
    form.addEventListener("input", function (event) {
      if (event.target.matches("[data-template-name], [data-script-id]")) { refreshLists(); }
    });
  });
})();
