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

  // <input data-understood="pen" data-understood-url="/numero/">: under the field, what Minka reads
  // in what is being typed («Minka entiende: S/ 2,500.00», or why it cannot tell), asked of the
  // server's one number parser. Without JS the form still refuses what is ambiguous when sent.
  function understood(input) {
    var out = document.createElement("output"), timer = null, asked = 0;
    out.className = "understood";
    out.setAttribute("aria-live", "polite");
    out.htmlFor = input.id;
    input.insertAdjacentElement("afterend", out);
    function ask() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++asked, text = input.value;
        if (!text.trim()) { out.textContent = ""; return; }
        var url = input.dataset.understoodUrl + "?kind=" + encodeURIComponent(input.dataset.understood) +
          "&text=" + encodeURIComponent(text);
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (said) {
          if (mine !== asked) return;  // an older answer arriving late
          out.textContent = said.text;
          out.classList.toggle("refused", !said.ok);
        }).catch(function () { out.textContent = ""; });
      }, 250);
    }
    input.addEventListener("input", ask);
    if (input.value) ask();
  }
  document.querySelectorAll("input[data-understood]").forEach(understood);

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
