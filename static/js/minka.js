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

  // <input data-date>: a dd/mm/aaaa text box (the same in every browser language) with a calendar
  // button beside it. The button opens the browser's own date picker on a hidden date input and
  // writes the chosen day back as dd/mm/aaaa. data-max (ISO) limits the picker.
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function calendar(input) {
    var picker = document.createElement("input"), button = document.createElement("button");
    picker.type = "date";
    picker.tabIndex = -1;
    picker.setAttribute("aria-hidden", "true");
    picker.className = "date-picker";
    if (input.dataset.max) picker.max = input.dataset.max;
    var group = document.createElement("span");
    button.type = "button";
    button.className = "date-button";
    // A drawn calendar: an emoji needs a font that modest laptops may lack.
    button.innerHTML = '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">' +
      '<rect x="1.5" y="3" width="13" height="11.5" rx="1.5" fill="none" stroke="currentColor"/>' +
      '<path d="M1.5 6.5h13M5 1.5v3M11 1.5v3" stroke="currentColor" fill="none"/></svg>';
    button.setAttribute("aria-label", document.documentElement.lang === "en" ? "Choose on the calendar" : "Elegir en el calendario");
    group.className = "date-field";
    input.insertAdjacentElement("beforebegin", group);
    group.appendChild(input);
    group.appendChild(button);
    group.appendChild(picker);
    button.addEventListener("click", function () {
      var m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(input.value.trim());
      picker.value = m ? m[3] + "-" + two(+m[2]) + "-" + two(+m[1]) : "";
      if (picker.showPicker) { try { picker.showPicker(); return; } catch (e) { /* fall through */ } }
      picker.focus();
    });
    picker.addEventListener("change", function () {
      var p = picker.value.split("-");
      if (p.length !== 3) return;
      input.value = p[2] + "/" + p[1] + "/" + p[0];
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    });
  }
  document.querySelectorAll("input[data-date]").forEach(calendar);

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
