// Saves the quarterly report's draft in the background while it has unsaved changes, and says so in
// the form's aria-live region. Without JavaScript the "Save draft" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var seconds = parseInt(form.dataset.autosaveSeconds, 10) || 30;
  var dirty = false;
  var busy = false;
  var stopped = false;

  function changed() {
    dirty = true;
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    stopped = true;
  });

  function say(text) {
    status.textContent = text;
  }

  function save() {
    if (!dirty || busy || stopped) {
      return;
    }
    busy = true;
    dirty = false;
    var body = new FormData(form);
    body.set("action", "save");
    fetch(window.location.href, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Autosave": "1", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (result) {
        if (result.status === 200) {
          form.elements.revision.value = result.data.revision;
          form.elements.started_from.value = result.data.started_from;
          say(result.data.message);
          return;
        }
        if (result.status === 409) {
          // Someone else saved meanwhile: stop, and let the person decide with the Save button.
          stopped = true;
        } else {
          dirty = true;
        }
        say(result.data.error || form.dataset.offlineMessage);
      })
      .catch(function () {
        dirty = true;
        say(form.dataset.offlineMessage);
      })
      .then(function () {
        busy = false;
      });
  }

  window.setInterval(save, seconds * 1000);
})();
