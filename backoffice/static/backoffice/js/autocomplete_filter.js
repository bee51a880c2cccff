"use strict";
// An autocomplete list filter (templates/admin/backoffice/autocomplete_filter.html, AutocompleteFilter):
// choosing a row in its autocomplete goes to the list filtered by it. A static file, not an
// inline script, so the Content-Security-Policy can forbid inline scripts (docs/security.md).
window.addEventListener("load", function () {
  document.querySelectorAll(".autocomplete-filter[data-url-template]").forEach(function (box) {
    django.jQuery(box).find("select").on("change", function () {
      if (this.value) {
        window.location.search = box.dataset.urlTemplate.replace(
          "CHOSEN_ID", encodeURIComponent(this.value)
        );
      }
    });
  });
});
