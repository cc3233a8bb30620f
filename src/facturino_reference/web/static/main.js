// Facturino reference SPA bundle: the login flow of resources/scripts/admin/stores/auth.js
// (GET /sanctum/csrf-cookie, then POST /api/v1/auth/login with X-XSRF-TOKEN).
(function () {
  "use strict";

  function readCookie(name) {
    var prefix = name + "=";
    var found = document.cookie.split("; ").filter(function (c) {
      return c.indexOf(prefix) === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(prefix.length)) : "";
  }

  function notify(text, kind) {
    var box = document.getElementById("notification");
    if (!box) { return; }
    box.textContent = text;
    box.className = "notification " + kind;
    box.hidden = false;
  }

  function apiHeaders() {
    return {
      "Accept": "application/json",
      "Content-Type": "application/json",
      "X-Requested-With": "XMLHttpRequest",
      "X-XSRF-TOKEN": readCookie("XSRF-TOKEN")
    };
  }

  async function login(event) {
    event.preventDefault();
    var form = event.target;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await fetch("/sanctum/csrf-cookie", { credentials: "same-origin" });
      var response = await fetch("/api/v1/auth/login", {
        method: "POST",
        credentials: "same-origin",
        headers: apiHeaders(),
        body: JSON.stringify({
          email: form.elements.email.value,
          password: form.elements.password.value,
          remember: false
        })
      });
      var body = await response.json().catch(function () { return {}; });
      if (response.ok && body.success) {
        notify("Logged in successfully.", "success");
        var role = (body.user || {}).role;
        window.location.assign(role === "partner" ? "/admin/partner/dashboard" : "/admin/dashboard");
        return;
      }
      var errors = body.errors || {};
      notify((errors.email && errors.email[0]) || body.message || "Login failed.", "error");
    } catch (err) {
      notify("Network error: " + err, "error");
    }
    button.disabled = false;
  }

  async function logout(event) {
    event.preventDefault();
    await fetch("/api/v1/auth/logout", {
      method: "POST", credentials: "same-origin", headers: apiHeaders()
    });
    window.location.assign("/login");
  }

  function togglePassword(event) {
    var input = document.querySelector("#loginForm input[name=password]");
    input.type = input.type === "password" ? "text" : "password";
    event.preventDefault();
  }

  function start() {
    var form = document.getElementById("loginForm");
    if (form) { form.addEventListener("submit", login); }
    var eye = document.getElementById("togglePassword");
    if (eye) { eye.addEventListener("click", togglePassword); }
    var out = document.getElementById("logoutButton");
    if (out) { out.addEventListener("click", logout); }
    document.documentElement.setAttribute("data-spa", "ready");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
