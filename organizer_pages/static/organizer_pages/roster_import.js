/* A roster import's page while the import runs (organizer_pages/roster_import.html).
   Progressive enhancement only: without this file the page has a "Look again" link.
   Every 2 seconds it asks the progress endpoint (JSON, same origin: CSP connect-src 'self')
   how far the import is and puts the answer in the page's heading and status line (which
   screen readers announce politely). Once the import has ended it loads the page again, which then shows the
   result. A failed request waits longer each time, up to 30 seconds. */
(function () {
  "use strict";
  var EVERY = 2000;
  var LONGEST = 30000;

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-progress-url]");
    if (!box || !window.fetch) { return; }
    var url = box.getAttribute("data-progress-url");
    var line = box.querySelector("[data-progress-text]");
    var heading = box.querySelector("[data-progress-status]");
    var wait = EVERY;

    function ask() {
      window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (progress) {
          if (progress.finished) {
            window.location.reload();
            return;
          }
          if (heading && heading.textContent !== progress.status_label) { heading.textContent = progress.status_label; }
          if (line && line.textContent !== progress.summary) { line.textContent = progress.summary; }
          wait = EVERY;
          window.setTimeout(ask, wait);
        })
        .catch(function () {
          wait = Math.min(wait * 2, LONGEST);
          window.setTimeout(ask, wait);
        });
    }

    window.setTimeout(ask, wait);
  });
}());
