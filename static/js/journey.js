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

  // Switching language reloads the page. What was typed (not yet saved) rides across in this tab's
  // sessionStorage for that one reload only, and is removed as soon as it is put back.
  var KEEP_KEY = "portal-typed-answers";

  function answersForm() {
    return document.querySelector("main form[method='post']:not(.language-switcher)");
  }

  function keptFields(form) {
    var fields = [];
    form.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (!field.name || ["hidden", "password", "file", "submit", "button"].indexOf(field.type) !== -1) { return; }
      fields.push(field);
    });
    return fields;
  }

  function keepTypedAnswers(form) {
    // Every field as it stands, emptied boxes and unticked choices too: restoring only what had a value
    // brought back a saved answer the patient had just cleared.
    var values = [];
    var names = [];
    keptFields(form).forEach(function (field) {
      if (names.indexOf(field.name) === -1) { names.push(field.name); }
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) { values.push([field.name, field.value]); }
      } else {
        values.push([field.name, field.value]);
      }
    });
    if (!names.length) { return; }
    try {
      sessionStorage.setItem(KEEP_KEY, JSON.stringify({ path: location.pathname, names: names, values: values }));
    } catch (e) { /* private mode: the switch still works, the typing is not kept */ }
  }

  function restoreTypedAnswers(form, message) {
    var raw = null;
    try { raw = sessionStorage.getItem(KEEP_KEY); sessionStorage.removeItem(KEEP_KEY); } catch (e) { return; }
    if (!raw) { return; }
    var kept = JSON.parse(raw);
    if (kept.path !== location.pathname || !kept.names) { return; }
    function keptValues(name) {
      return kept.values.filter(function (pair) { return pair[0] === name; }).map(function (pair) { return pair[1]; });
    }
    keptFields(form).forEach(function (field) {
      if (kept.names.indexOf(field.name) === -1) { return; }
      var values = keptValues(field.name);
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = values.indexOf(field.value) !== -1;
      } else {
        field.value = values.length ? values[0] : "";
      }
    });
    form.dispatchEvent(new Event("change"));
    if (message) {
      var note = document.createElement("p");
      note.className = "alert alert-info";
      note.setAttribute("role", "status");
      note.textContent = message;
      form.parentNode.insertBefore(note, form);
    }
  }

  // The body map toggles the same checkboxes as the list; the list stays for keyboards and screen readers.
  function setUpBodyMap(map) {
    var boxes = document.querySelectorAll('input[type="checkbox"][name="pain_regions"]');
    if (!boxes.length) { return; }
    function box(key) {
      for (var i = 0; i < boxes.length; i++) { if (boxes[i].value === key) { return boxes[i]; } }
      return null;
    }
    function paint() {
      map.querySelectorAll(".body-region").forEach(function (shape) {
        var input = box(shape.getAttribute("data-region"));
        shape.classList.toggle("is-on", Boolean(input && input.checked));
      });
    }
    map.querySelectorAll(".body-region").forEach(function (shape) {
      shape.addEventListener("click", function () {
        var input = box(shape.getAttribute("data-region"));
        if (!input) { return; }
        input.checked = !input.checked;
        input.dispatchEvent(new Event("change", { bubbles: true }));
        paint();
      });
    });
    boxes.forEach(function (input) { input.addEventListener("change", paint); });
    var group = boxes[0].closest("fieldset") || boxes[0].parentNode.parentNode;
    var legend = group.querySelector("legend");
    group.insertBefore(map, legend ? legend.nextSibling : group.firstChild);
    map.hidden = false;
    paint();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.journey-form").forEach(setUpFollowUps);
    document.querySelectorAll("[data-body-map]").forEach(setUpBodyMap);
    var form = answersForm();
    var switcher = document.querySelector("form.language-switcher");
    if (form && switcher) {
      switcher.addEventListener("submit", function () { keepTypedAnswers(form); });
      restoreTypedAnswers(form, switcher.getAttribute("data-kept-message"));
    }
    focusErrors();
  });
})();
