/* Search page enhancements. Everything works without this file: it only saves clicks. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;

  // Changing the order re-runs the search at once instead of waiting for "Apply".
  form.querySelectorAll("[data-autosubmit]").forEach(function (control) {
    control.addEventListener("change", function () {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });

  // Empty date fields would put "date_from=&date_to=" in every shared URL: leave them out.
  form.addEventListener("submit", function () {
    form.querySelectorAll("input[name=date_from], input[name=date_to]").forEach(function (input) {
      if (!input.value.trim()) input.disabled = true;
    });
  });
  window.addEventListener("pageshow", function () {
    form.querySelectorAll("input[disabled]").forEach(function (input) { input.disabled = false; });
  });

  // "/" jumps to the query box, as on most search sites, unless typing somewhere already.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var box = document.getElementById("q");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });
})();
