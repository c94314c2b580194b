// The passage registration screen: glove- and keyboard-friendly touches.
// The page works without this file; it only saves taps.
(function () {
  "use strict";
  function fields(form) {
    return Array.prototype.filter.call(form.querySelectorAll("input, select, textarea, button[type=submit]"), function (el) {
      return el.type !== "hidden" && !el.disabled && el.offsetParent !== null && el.type !== "radio" &&
        !el.hasAttribute("data-enter-skip");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("reg-form");
    if (!form) return;
    var name = document.getElementById("id_name");
    var dest = document.getElementById("id_destination");
    var destText = document.getElementById("id_destination_text");
    var results = document.getElementById("dest-results");

    // "X" key for ID numbers typed on a numeric keypad.
    form.addEventListener("click", function (e) {
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
        dest.value = pick.dataset.code;
        destText.value = pick.dataset.name;
        results.innerHTML = "";
        var list = fields(form).filter(function (el) { return el.tagName !== "BUTTON"; });
        var next = list[list.indexOf(destText) + 1];
        (next || form.querySelector("button.reg-submit")).focus();
      }
    });
    // Typing a new destination forgets the picked code.
    if (destText) destText.addEventListener("input", function () { dest.value = ""; });

    // A registered person's name fills a blank name field.
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.target.id !== "person-hint") return;
      var hint = e.target.querySelector("[data-name]");
      if (hint && hint.dataset.name && name && !name.value) name.value = hint.dataset.name;
    });

    // Enter moves to the next field; Ctrl/Cmd+Enter, or Enter on the last field, registers.
    var registerBtn = form.querySelector("button.reg-submit");
    form.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.target.tagName === "TEXTAREA" || e.target.tagName === "BUTTON") return;
      e.preventDefault();
      if (e.ctrlKey || e.metaKey) { form.requestSubmit(registerBtn); return; }
      if (e.target === destText && results.querySelector("button.pick")) {
        results.querySelector("button.pick").click();
        return;
      }
      var list = fields(form).filter(function (el) { return el.tagName !== "BUTTON"; });
      var next = list[list.indexOf(e.target) + 1];
      if (next) next.focus(); else form.requestSubmit(registerBtn);
    });
    // A double tap with gloves must not send twice (the client key would catch it anyway).
    form.addEventListener("submit", function (e) {
      var submitter = e.submitter;
      if (submitter && submitter.value === "register") {
        if (form.dataset.sent) { e.preventDefault(); return; }
        form.dataset.sent = "1";
        submitter.setAttribute("aria-busy", "true");
      }
    });
    var result = document.getElementById("result");
    if (result && result.classList.contains("alert")) result.focus();
    // After a refused submission, the cursor goes to the first field to fix.
    var bad = form.querySelector(".has-error input:not([type=hidden]), .has-error select");
    if (bad) {
      bad.focus({ preventScroll: true });
      bad.scrollIntoView({ block: "center" });
    }
  });
})();
