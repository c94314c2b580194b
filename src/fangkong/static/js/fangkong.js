// Small progressive enhancements; every page works without them.
// The Content-Security-Policy allows no inline script: no <script> blocks, no
// on...= attributes, no javascript: links. What they did is done here, from
// data- attributes:
//   data-autosubmit   on a form field: submit its form when it changes
//   data-confirm="…"  on a form: ask before submitting
//   data-back         on a link: go back in history (the href is the fallback)
// htmx must not evaluate strings either (hx-on, hx-vals="js:…", trigger filters).
if (window.htmx) htmx.config.allowEval = false;

document.addEventListener("DOMContentLoaded", function () {
  // A client key per form render, so a retried submission is recognised.
  document.querySelectorAll("input[name=client_key]").forEach(function (el) {
    if (!el.value && window.crypto && crypto.randomUUID) el.value = crypto.randomUUID();
  });
  // A list's folded filters (on a phone) are open when the address uses one of them.
  var asked = new URLSearchParams(window.location.search);
  document.querySelectorAll("input.filters-toggle").forEach(function (toggle) {
    var form = toggle.form;
    if (!form) return;
    toggle.checked = Array.prototype.some.call(form.querySelectorAll("input[name], select[name]"), function (el) {
      var box = el.closest("form > div");
      return box && !box.classList.contains("actions") &&
        (toggle.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) && !!asked.get(el.name);
    });
  });
});

document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.form && el.hasAttribute && el.hasAttribute("data-autosubmit")) el.form.submit();
});

document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});

document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest && event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
