// Aftercare enhancements. The pages work without this file: it only adds a print button.
(function () {
  "use strict";
  document.querySelectorAll("[data-aftercare-print]").forEach(function (button) {
    button.classList.remove("d-none");
    button.addEventListener("click", function () { window.print(); });
  });
  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
})();
