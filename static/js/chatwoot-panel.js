// The Dashboard App panel: ask Chatwoot (the parent page) for the conversation context, then show what
// CitaPlanner knows about its contact. Only messages from the tenant's Chatwoot origin are believed.
(function () {
  "use strict";
  var body = document.body;
  var origin = body.dataset.origin;
  var contactUrl = body.dataset.contactUrl;
  var panel = document.getElementById("panel");
  var shown = null;

  function show(context) {
    var contact = context.contact || {};
    var conversation = context.conversation || {};
    var sender = (conversation.meta && conversation.meta.sender) || {};
    var contactId = contact.id || sender.id;
    var accountId = conversation.account_id || contact.account_id || "";
    var phone = contact.phone_number || sender.phone_number || "";
    var key = accountId + "/" + contactId;
    if (!contactId || key === shown) { return; }
    shown = key;
    var query = new URLSearchParams({ account_id: accountId, contact_id: contactId, phone: phone });
    fetch(contactUrl + "?" + query.toString(), { credentials: "omit" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { panel.innerHTML = html; });
  }

  // The one-click link posts in the background, so the panel (and this script) stays in place.
  panel.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "panel-link") { return; }
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "omit" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (html) { panel.innerHTML = html; } });
  });

  window.addEventListener("message", function (event) {
    if (!origin || event.origin !== origin || typeof event.data !== "string") { return; }
    var message;
    try { message = JSON.parse(event.data); } catch (error) { return; }
    if (message && message.event === "appContext" && message.data) { show(message.data); }
  });

  if (origin && window.parent !== window) {
    window.parent.postMessage("chatwoot-dashboard-app:fetch-info", origin);
  }
})();
