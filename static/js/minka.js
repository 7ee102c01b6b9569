// Minka's only script: small behaviours declared in the markup with data- attributes,
// so no page carries inline handlers (and a Content-Security-Policy can allow just this file).
(function () {
  "use strict";

  // <form data-submit-once>: a second click or Enter sends nothing more (the server refuses
  // resent forms too). data-disable-submit also greys the button out.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches("form[data-submit-once]")) return;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    if (form.hasAttribute("data-disable-submit")) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }
  });

  // <form data-confirm="¿…?"> or <button data-confirm="¿…?">: ask before sending.
  document.addEventListener("submit", function (event) {
    var form = event.target, button = event.submitter;
    var question = (button && button.dataset.confirm) || form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <button data-submit-once-button>: disabled once clicked, the form still sent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-submit-once-button]");
    if (!button || button.disabled) return;
    setTimeout(function () { button.disabled = true; }, 0);
  });

  // <select data-autosubmit>: choosing an option shows it (a <noscript> button does it without JS).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  // <select data-grade-follows-form="id_grade">: wet cocoa has no grade; dry cocoa starts at grade I.
  document.addEventListener("change", function (event) {
    var form = event.target, id = form.dataset && form.dataset.gradeFollowsForm;
    if (!id) return;
    var grade = document.getElementById(id);
    grade.value = form.value === "wet" ? "ng" : (grade.value === "ng" ? "g1" : grade.value);
  });
})();
