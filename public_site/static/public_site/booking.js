/* Progressive enhancement only: every page works without this file.
   - An error summary (or a refusal) gets the focus when the page opens, so screen readers
     read it first and keyboard users start from it (WCAG 3.3.1).
   - A link in the error summary moves the focus into its field, not only the scroll.
   - A form marked data-once (booking, cancelling, moving) is sent once: an impatient second
     tap does nothing (the server refuses a second booking anyway). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
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
