/* The application form (organizer_pages/application_form.html): the regency/city list shows
   only the chosen province's. Progressive enhancement only: without this file the list has
   every regency grouped by province, and the server checks that the regency is in the
   province either way (applications.services). A regency's code starts with its province's
   ("32.73" is in "32"), which is how its <optgroup> is matched, never by its label. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var province = document.getElementById("id_province_code");
    var regency = document.getElementById("id_regency_code");
    if (!province || !regency) { return; }
    var groups = Array.prototype.slice.call(regency.querySelectorAll("optgroup"));

    function narrow() {
      var chosen = province.value;
      groups.forEach(function (group) {
        var first = group.querySelector("option");
        var mine = !!first && first.value.split(".")[0] === chosen;
        group.hidden = !mine;
        group.disabled = !mine;
      });
      var selected = regency.options[regency.selectedIndex];
      if (selected && selected.parentNode.tagName === "OPTGROUP" && selected.parentNode.disabled) {
        regency.value = "";
      }
    }

    province.addEventListener("change", narrow);
    narrow();
  });
})();
