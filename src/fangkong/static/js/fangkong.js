// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // A client key per form render, so a retried submission is recognised.
  document.querySelectorAll("input[name=client_key]").forEach(function (el) {
    if (!el.value && window.crypto && crypto.randomUUID) el.value = crypto.randomUUID();
  });
});
