// Small progressive enhancements; every page works without them.
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
