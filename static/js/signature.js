/* The signing page: a drawn signature with signature_pad (pointer events), kept in a hidden field.
   Without this script the page still works: the signer ticks "I can't draw" and signs with their typed name. */
(function () {
  "use strict";
  var form = document.getElementById("consent-form");
  if (!form) { return; }

  var zoneField = form.querySelector("input[name='time_zone']");
  try {
    if (zoneField && window.Intl) { zoneField.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; }
  } catch (e) { /* the server falls back to the clinic's time zone */ }

  var box = form.querySelector("[data-signature-pad]");
  var hidden = form.querySelector("input[name='signature']");
  var cannotDraw = form.querySelector("input[name='cannot_draw']");
  if (!box || !hidden || typeof window.SignaturePad !== "function") { return; }

  box.hidden = false;
  var noJsNote = form.querySelector("[data-signature-no-js]");
  if (noJsNote) { noJsNote.hidden = true; }
  var canvas = box.querySelector("canvas");
  var pad = new window.SignaturePad(canvas, { minWidth: 0.8, maxWidth: 2.6, penColor: "#14143c" });

  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.isEmpty() ? null : pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    if (data) { pad.fromData(data); }
  }
  window.addEventListener("resize", resize);
  resize();

  // After a validation error the page comes back with the drawing in the hidden field: show it again.
  if (hidden.value && hidden.value.indexOf("data:image/png;base64,") === 0) {
    pad.fromDataURL(hidden.value, { ratio: 1, width: canvas.offsetWidth, height: canvas.offsetHeight });
  }

  box.querySelector("[data-signature-clear]").addEventListener("click", function () {
    pad.clear();
    hidden.value = "";
  });

  function syncMode() {
    var typedOnly = cannotDraw && cannotDraw.checked;
    box.hidden = typedOnly;
    if (!typedOnly) { resize(); }
  }
  if (cannotDraw) { cannotDraw.addEventListener("change", syncMode); syncMode(); }

  var submitting = false;
  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    if (cannotDraw && cannotDraw.checked) {
      hidden.value = "";
    } else if (!pad.isEmpty()) {
      hidden.value = pad.toDataURL("image/png");
    } else {
      hidden.value = "";
    }
    submitting = true;
    var button = form.querySelector("[data-sign-submit]");
    if (button) { button.setAttribute("aria-disabled", "true"); button.classList.add("disabled"); }
  });

  // Once a marked field is edited, stop showing it as wrong (the server checks everything again). "input"
  // fires while typing, so the page does not shift on blur, under the finger that is pressing "Sign".
  function clearMark(event) {
    var field = event.target;
    if (field.classList && field.classList.contains("is-invalid")) { field.classList.remove("is-invalid"); }
  }
  form.addEventListener("input", clearMark);
  form.addEventListener("change", function (event) { if (event.target.type === "checkbox") { clearMark(event); } });
  var signatureError = document.getElementById("signature-error");
  function clearSignatureError() {
    if (signatureError) { signatureError.classList.remove("d-block"); signatureError.hidden = true; }
  }
  pad.addEventListener("endStroke", clearSignatureError);
  if (cannotDraw) { cannotDraw.addEventListener("change", clearSignatureError); }

  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
})();
