// Patient journey enhancements. The pages work without this file: follow-up questions are always
// on the page (worded "If yes: ..."), and the server ignores them when they do not apply.
(function () {
  "use strict";

  function currentValue(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var field = form.querySelector('[name="' + name + '"]:not([type="radio"]):not([type="checkbox"])');
    return field ? field.value : "";
  }

  function hasErrors(block) {
    return block.querySelector(".is-invalid, .invalid-feedback") !== null;
  }

  function setUpFollowUps(form) {
    var blocks = form.querySelectorAll("[data-show-if-item]");
    if (!blocks.length) { return; }
    function update() {
      blocks.forEach(function (block) {
        var show = currentValue(form, block.dataset.showIfItem) === block.dataset.showIfEquals;
        // Never hide a question that has an error message on it.
        block.hidden = !show && !hasErrors(block);
      });
    }
    form.addEventListener("change", update);
    update();
  }

  function focusErrors() {
    var summary = document.getElementById("form-errors");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.journey-form").forEach(setUpFollowUps);
    focusErrors();
  });
})();
