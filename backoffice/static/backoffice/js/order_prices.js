"use strict";
// The order page (templates/admin/backoffice/order/change_form.html): when a line's product is
// chosen, its unit price shows today's price as the placeholder, which is what an empty price
// becomes on save. The prices' address comes from the script tag's data-prices-url attribute
// (a static file, not an inline script, so the Content-Security-Policy can forbid inline scripts).
(function () {
  var url = document.currentScript.dataset.pricesUrl;
  window.addEventListener("load", function () {
    var $ = django.jQuery;
    function showPrice(select) {
      var price = document.getElementById(select.id.replace(/-product$/, "-price"));
      if (!price || !select.value) { return; }
      fetch(url + "?ids=" + encodeURIComponent(select.value), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : {}; })
        .then(function (prices) {
          if (prices[select.value]) {
            price.placeholder = prices[select.value];
            price.title = "Today's price: " + prices[select.value] + " (used when left empty)";
          }
        });
    }
    $(document).on("change", "select[name^=items-][name$=-product]", function () { showPrice(this); });
  });
})();
