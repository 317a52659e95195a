// An urgent action's delivery progress: while emails are still waiting or being sent, fetch the
// page again every few seconds and replace the figures, which sit in an aria-live region so a
// screen reader hears the change. Without JavaScript, the page's "Refresh" link does the same.
(function () {
  "use strict";
  var region = document.getElementById("alert-progress");
  if (!region || !region.dataset.refreshSeconds || !window.fetch || !window.DOMParser) {
    return;
  }
  var delay = Math.max(2, parseInt(region.dataset.refreshSeconds, 10) || 5) * 1000;
  var failures = 0;

  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("alert-progress");
        if (!fresh) {
          return;
        }
        failures = 0;
        // Replaced only when a figure moved, so a screen reader hears changes, not every poll.
        if (region.innerHTML !== fresh.innerHTML) {
          region.innerHTML = fresh.innerHTML;
        }
        if (fresh.dataset.refreshSeconds) {
          window.setTimeout(poll, delay);
        } else {
          delete region.dataset.refreshSeconds;
        }
      })
      .catch(function () {
        // A failed poll (the network, a logout) leaves the figures as they are; try again a few
        // times, then leave it to the "Refresh" link.
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, delay * 2);
        }
      });
  }

  window.setTimeout(poll, delay);
})();
