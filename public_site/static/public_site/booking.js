/* Progressive enhancement only: every page works without this file.
   - An error summary (or a refusal) gets the focus when the page opens, so screen readers
     read it first and keyboard users start from it (WCAG 3.3.1).
   - A link in the error summary moves the focus into its field, not only the scroll.
   - A form marked data-once (booking, cancelling, moving) is sent once: an impatient second
     tap does nothing (the server refuses a second booking anyway).
   - Switching the language reloads the page: what was typed in the page's form is kept for
     that one reload (sessionStorage, keyed by the page's path) and put back, then forgotten. */
(function () {
  "use strict";
  var STASH = "sentra-typed:" + window.location.pathname;
  var SKIP = ["hidden", "password", "file", "submit", "button", "reset"];

  function typedFields() {
    return Array.prototype.filter.call(
      document.querySelectorAll("#main form input[name], #main form select[name], #main form textarea[name]"),
      function (field) { return SKIP.indexOf(field.type) === -1 && field.name !== "csrfmiddlewaretoken"; }
    );
  }

  function stashTyped() {
    var values = {};
    typedFields().forEach(function (field) {
      if (field.type === "radio" || field.type === "checkbox") {
        values[field.name] = values[field.name] || [];
        if (field.checked) { values[field.name].push(field.value); }
      } else {
        values[field.name] = field.value;
      }
    });
    try { window.sessionStorage.setItem(STASH, JSON.stringify(values)); } catch (e) { /* full or off */ }
  }

  function restoreTyped() {
    var saved;
    try {
      saved = window.sessionStorage.getItem(STASH);
      window.sessionStorage.removeItem(STASH);
    } catch (e) { return; }
    if (!saved) { return; }
    var values = JSON.parse(saved);
    typedFields().forEach(function (field) {
      if (!Object.prototype.hasOwnProperty.call(values, field.name)) { return; }
      var value = values[field.name];
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = value.indexOf(field.value) !== -1;
      } else {
        field.value = value;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    restoreTyped();
    document.querySelectorAll("form[data-language-switch]").forEach(function (form) {
      form.addEventListener("submit", stashTyped);
    });
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) {
      summary.focus();
    }
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (field) {
          event.preventDefault();
          field.scrollIntoView({ block: "center" });
          field.focus();
        }
      });
    });
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var button = event.submitter;
        if (!button || form.dataset.sent) {
          if (form.dataset.sent) { event.preventDefault(); }
          return;
        }
        form.dataset.sent = "1";
        // Keep the pressed button's name/value in the form data, then disable it.
        if (button.name) {
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = button.name;
          hidden.value = button.value;
          form.appendChild(hidden);
        }
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
  // Back to a page from the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      delete form.dataset.sent;
      form.querySelectorAll("button[disabled]").forEach(function (b) { b.disabled = false; });
    });
  });
})();
