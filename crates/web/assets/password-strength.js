// The sign-up page's password-strength hint: asks the server (zxcvbn, the same policy as
// registration) as the person types and shows the score and feedback in the page's language.
// The form works without it; registration checks the password again.
(function () {
  "use strict";
  var password = document.getElementById("password");
  var login = document.getElementById("login");
  var box = document.getElementById("password-strength");
  if (!password || !box) { return; }
  var bar = box.querySelector(".strength-bar");
  var verdict = box.querySelector(".strength-verdict");
  var feedback = box.querySelector(".strength-feedback");
  var timer = null;
  var asked = 0;

  function show(answer) {
    bar.setAttribute("data-score", String(answer.score));
    var words = box.getAttribute("data-label") + " " + box.getAttribute("data-score-" + answer.score);
    if (answer.refusal) { words += " — " + box.getAttribute("data-refused") + " " + answer.refusal.message; }
    verdict.textContent = words;
    feedback.textContent = "";
    var lines = [];
    if (answer.warning) { lines.push(answer.warning.message); }
    answer.suggestions.forEach(function (suggestion) { lines.push(suggestion.message); });
    lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      feedback.appendChild(item);
    });
    box.hidden = false;
  }

  function ask() {
    if (password.value === "") { box.hidden = true; return; }
    var mine = ++asked;
    fetch("/api/v1/auth/password-strength", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ password: password.value, login: login ? login.value : null })
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      // Only the answer to the latest keystroke is shown.
      if (answer && mine === asked) { show(answer); }
    }).catch(function () { /* The hint is optional; the form still works. */ });
  }

  password.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
})();
