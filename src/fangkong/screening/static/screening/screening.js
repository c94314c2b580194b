/* Screening pages: origin pickers (province → city → a hidden origin code),
   the self-report place picker, and fresh client keys for visit buttons. */
(function () {
  "use strict";
  // An origin picker: <select data-origin-province> and <select data-origin-city>
  // inside an element with data-origin-picker, writing the code into
  // [data-origin-code]: the city if one is picked, else the province.
  document.addEventListener("change", function (e) {
    var picker = e.target.closest ? e.target.closest("[data-origin-picker]") : null;
    if (!picker) return;
    var province = picker.querySelector("[data-origin-province]");
    var city = picker.querySelector("[data-origin-city]");
    var code = picker.querySelector("[data-origin-code]");
    if (!province || !code) return;
    var cityValue = city ? city.value : "";
    if (e.target === province) cityValue = "";
    code.value = cityValue || province.value;
  }, true);
  // Changing a county empties the community list below it (data-reset="#id").
  document.addEventListener("change", function (e) {
    var sel = e.target.getAttribute && e.target.getAttribute("data-reset");
    if (!sel) return;
    document.querySelectorAll(sel).forEach(function (el) { el.innerHTML = "<option value=\"\">—</option>"; });
  }, true);
  // Every one-tap visit form gets a fresh client key after a successful swap,
  // so a retry of the same tap is recognised and a later tap is not.
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }
  function fillKeys(root) {
    (root || document).querySelectorAll("input[data-client-key]").forEach(function (input) {
      if (!input.value) input.value = newKey();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fillKeys(document); });
  document.addEventListener("htmx:afterSwap", function (e) { fillKeys(e.target); });
})();
