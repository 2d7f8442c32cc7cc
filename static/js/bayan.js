/* Bayan: small enhancements over pages that work without JavaScript.
 *
 * - "Copy link" beside each paragraph copies its permalink (/c/<id>/#p3) instead of
 *   following it; without JavaScript the link simply leads to the paragraph.
 * - "Copy" buttons of the citation panel (hidden without JavaScript, where the text can be
 *   selected by hand) copy the citation text.
 */
(function () {
  "use strict";

  var toastTimer = null;

  // The toast's data attributes hold its messages in the reader's language (base.html).
  function say(key) {
    var toast = document.querySelector("[data-toast]");
    return (toast && toast.dataset[key]) || "";
  }

  function announce(message) {
    var toast = document.querySelector("[data-toast]");
    if (!toast) return;
    toast.textContent = message;
    toast.classList.add("is-visible");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.classList.remove("is-visible"); }, 2500);
  }

  function fallbackCopy(text) {
    // For browsers or contexts without the asynchronous clipboard (plain http, old engines).
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-copy-link]");
    if (link) {
      event.preventDefault();
      var url = link.href;
      link.setAttribute("data-copied", url);
      copy(url).then(
        function () { announce(say("linkCopied") + " " + url); },
        function () { window.location.hash = new URL(url).hash; announce(say("copyFromBar")); }
      );
      return;
    }
    var button = event.target.closest("button[data-copy-from]");
    if (button) {
      var source = document.getElementById(button.getAttribute("data-copy-from"));
      if (!source) return;
      copy(source.textContent.trim()).then(
        function () { announce(say("copied")); },
        function () { announce(say("copyFailed")); }
      );
    }
  });

  document.querySelectorAll("button[data-copy-from]").forEach(function (button) {
    button.hidden = false;
  });
})();
