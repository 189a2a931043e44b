// Staff workspace enhancements. Everything works without this file.
(function () {
  "use strict";
  document.querySelectorAll('[data-action="print"]').forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
