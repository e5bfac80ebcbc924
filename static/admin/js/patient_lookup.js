// On the desk booking form: as the phone or email is typed, say whether this
// person has booked before. Without JavaScript the "Look up" button does it.
(function () {
  "use strict";
  var notice = document.getElementById("known-patient");
  var form = notice && notice.closest("form") || document.querySelector("#content-main form");
  if (!notice || !form) { return; }
  var fields = ["id_phone", "id_email"].map(function (id) { return document.getElementById(id); })
    .filter(Boolean);
  var waiting = null;
  var asked = "";

  function lookUp() {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    fields.forEach(function (field) { data.append(field.name, field.value); });
    var question = fields.map(function (field) { return field.value.trim(); }).join("|");
    if (question === asked) { return; }
    asked = question;
    fetch(notice.dataset.lookupUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (question === asked) { notice.innerHTML = html; } })
      .catch(function () { /* the button still works */ });
  }

  fields.forEach(function (field) {
    field.addEventListener("input", function () {
      clearTimeout(waiting);
      waiting = setTimeout(lookUp, 600);
    });
    field.addEventListener("change", lookUp);
  });
}());
