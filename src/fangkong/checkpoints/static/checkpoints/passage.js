// The passage registration screen: glove- and keyboard-friendly touches.
// The page works without this file; it only saves taps. With htmx a
// registration is one request: the result comes back alone (with the next
// client key) and this script empties the fields for the next person. A form
// sent back (errors, a passenger row added) replaces the old one, so every
// listener here is on the document, not on the form.
(function () {
  "use strict";
  function form() { return document.getElementById("reg-form"); }
  function fields(f) {
    return Array.prototype.filter.call(f.querySelectorAll("input, select, textarea, button[type=submit]"), function (el) {
      return el.type !== "hidden" && !el.disabled && el.offsetParent !== null && el.type !== "radio" &&
        !el.hasAttribute("data-enter-skip");
    });
  }
  function inputs(f) {
    return fields(f).filter(function (el) { return el.tagName !== "BUTTON"; });
  }
  function focusNext(f, from) {
    var list = inputs(f);
    var next = list[list.indexOf(from) + 1];
    (next || f.querySelector("button.reg-submit")).focus();
  }

  document.addEventListener("click", function (e) {
    var f = form();
    if (!f || !f.contains(e.target)) return;
    // "X" key for ID numbers typed on a numeric keypad.
    var btn = e.target.closest("button[data-append]");
    if (btn) {
      var input = document.getElementById(btn.dataset.target);
      input.value = input.value + btn.dataset.append;
      input.focus();
      input.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var pick = e.target.closest("button.pick");
    if (pick) {
      var destText = document.getElementById("id_destination_text");
      document.getElementById("id_destination").value = pick.dataset.code;
      destText.value = pick.dataset.name;
      document.getElementById("dest-results").innerHTML = "";
      focusNext(f, destText);
    }
  });

  // Typing a new destination forgets the picked code.
  document.addEventListener("input", function (e) {
    if (e.target.id === "id_destination_text") document.getElementById("id_destination").value = "";
  });

  // Enter moves to the next field; Ctrl/Cmd+Enter, or Enter on the last field, registers.
  document.addEventListener("keydown", function (e) {
    var f = form();
    if (!f || !f.contains(e.target)) return;
    if (e.key !== "Enter" || e.target.tagName === "TEXTAREA" || e.target.tagName === "BUTTON") return;
    e.preventDefault();
    var registerBtn = f.querySelector("button.reg-submit");
    if (e.ctrlKey || e.metaKey) { f.requestSubmit(registerBtn); return; }
    var results = document.getElementById("dest-results");
    if (e.target.id === "id_destination_text" && results.querySelector("button.pick")) {
      results.querySelector("button.pick").click();
      return;
    }
    var list = inputs(f);
    var next = list[list.indexOf(e.target) + 1];
    if (next) next.focus(); else f.requestSubmit(registerBtn);
  });

  // Without htmx, a double tap with gloves must not send twice (the client key
  // would catch it anyway). With htmx, hx-sync drops the second request.
  document.addEventListener("submit", function (e) {
    var f = form();
    if (e.target !== f || window.htmx) return;
    var submitter = e.submitter;
    if (submitter && submitter.value === "register") {
      if (f.dataset.sent) { e.preventDefault(); return; }
      f.dataset.sent = "1";
      submitter.setAttribute("aria-busy", "true");
    }
  });

  // A registered person's name fills a blank name field.
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.target.id !== "person-hint") return;
    var hint = e.target.querySelector("[data-name]");
    var name = document.getElementById("id_name");
    if (hint && hint.dataset.name && name && !name.value) name.value = hint.dataset.name;
  });

  // Registered: empty the form for the next person, as the page after a
  // registration would be (direction and plate province stay).
  document.addEventListener("passage-registered", function () {
    var f = form();
    if (!f) return;
    Array.prototype.forEach.call(f.querySelectorAll("input"), function (el) {
      if (el.name === "csrfmiddlewaretoken" || el.name === "client_key") return;
      if (el.type === "radio") { if (el.name !== "direction") el.checked = false; return; }
      if (el.hasAttribute("data-default")) { el.value = el.dataset.default; return; }
      if (el.type !== "hidden" || el.name === "passenger_count") el.value = el.name === "passenger_count" ? "0" : "";
    });
    var docType = document.getElementById("id_doc_type");
    if (docType) docType.selectedIndex = 0;
    Array.prototype.forEach.call(f.querySelectorAll("fieldset.passenger, .passengers-title, .errors, .field-error"),
      function (el) { el.remove(); });
    Array.prototype.forEach.call(f.querySelectorAll(".has-error"), function (el) { el.classList.remove("has-error"); });
    ["person-hint", "dest-results"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.innerHTML = "";
    });
    var result = document.getElementById("result");
    if (result && result.classList.contains("alert")) result.focus();
    else document.getElementById("id_doc_number").focus({ preventScroll: true });
  });

  // After a refused submission, the cursor goes to the first field to fix.
  function focusFirstError() {
    var f = form();
    var bad = f && f.querySelector(".has-error input:not([type=hidden]), .has-error select");
    if (bad) {
      bad.focus({ preventScroll: true });
      bad.scrollIntoView({ block: "center" });
    }
    return bad;
  }
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.target.id === "reg-form" || (e.detail && e.detail.elt && e.detail.elt.id === "reg-form")) {
      if (!focusFirstError()) {
        var rows = document.querySelectorAll("fieldset.passenger input");
        if (rows.length) rows[rows.length - 4 >= 0 ? rows.length - 4 : 0].focus();
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!form()) return;
    var result = document.getElementById("result");
    if (result && result.classList.contains("alert")) result.focus();
    focusFirstError();
  });
})();
