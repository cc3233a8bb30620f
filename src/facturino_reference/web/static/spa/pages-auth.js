// The guest pages: /login (and /), /forgot-password, /installation. /login makes no API call
// before the form shows; submitting it is the SPA's Sanctum flow (see vendor-ui.js login()).

import { h, link, replace, state } from "./vendor-core.js";
import { t } from "./vendor-i18n.js";
import { email, required, validate } from "./vendor-validation.js";
import { handleError, login as signIn, notificationRoot, showNotification } from "./vendor-ui.js";

function layout(view) {
  const year = new Date().getFullYear();
  replace(
    document.body,
    h(
      "div",
      { class: "login-layout" },
      notificationRoot(),
      h(
        "section",
        { class: "login-panel" },
        h("div", { class: "logo", "aria-label": "Facturino" }, h("span", { text: "Facturino" })),
        view,
        h("p", { class: "copyright", text: window.copyright_text || `Авторски права @ Facturino ДООЕЛ. ${year}` }),
      ),
      h(
        "aside",
        { class: "login-aside" },
        h("h1", { text: window.login_page_heading || "Фактури, магацин и плати на едно место" }),
        h("p", {
          text:
            window.login_page_description ||
            "Сметководство за македонски компании: е-Фактура, банкарство и партнерски портал.",
        }),
      ),
    ),
  );
}

function field(name, type, label, extra) {
  const input = h("input", { type, name, id: `login-${name}`, autocomplete: extra.autocomplete, class: "input" });
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const group = h(
    "div",
    { class: "input-group" },
    h("label", { for: input.id }, label, h("span", { class: "required", text: " *" })),
    h("div", { class: "input-row" }, input, extra.right || null),
    error,
  );
  return { input, error, group };
}

export async function login() {
  const rules = {
    email: [
      [required, t("validation.required")],
      [email, t("validation.email_incorrect")],
    ],
    password: [[required, t("validation.required")]],
  };
  const eye = h("button", { type: "button", class: "eye", "aria-label": "Show password" }, "👁");
  const fields = {
    email: field("email", "email", t("login.email"), { autocomplete: "username" }),
    password: field("password", "password", t("login.password"), { autocomplete: "current-password", right: eye }),
  };
  eye.addEventListener("click", () => {
    const input = fields.password.input;
    input.type = input.type === "password" ? "text" : "password";
  });
  const button = h("button", { type: "submit", class: "button-primary" }, t("login.login"));
  const form = h(
    "form",
    { id: "loginForm", class: "login-form", novalidate: true },
    fields.email.group,
    fields.password.group,
    h("div", { class: "forgot" }, link("/forgot-password", { text: t("login.forgot_password") })),
    button,
  );
  const touched = new Set();
  const values = () => ({ email: fields.email.input.value, password: fields.password.input.value });
  const show = () => {
    const errors = validate(rules, values());
    for (const [name, parts] of Object.entries(fields)) {
      const message = touched.has(name) ? errors[name] : undefined;
      parts.error.hidden = !message;
      parts.error.textContent = message || "";
      parts.input.classList.toggle("invalid", Boolean(message));
    }
    return errors;
  };
  for (const name of Object.keys(fields)) {
    fields[name].input.addEventListener("input", () => {
      touched.add(name);
      show();
    });
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    Object.keys(fields).forEach((name) => touched.add(name));
    if (Object.keys(show()).length) return;
    button.disabled = true;
    button.classList.add("loading");
    try {
      const answer = await signIn({ ...values(), remember: "" });
      const user = answer.data && answer.data.user;
      if (user) state.currentUser = user;
      showNotification({ type: "success", message: "Logged in successfully." });
      await window.router.push(landing(user));
    } catch (error) {
      button.disabled = false;
      button.classList.remove("loading");
      console.error("Login error:", error);
    }
  });
  layout(form);
  fields.email.input.focus();
}

// Login.vue's redirect: partners to their portal (onboarding first), everyone else the admin.
function landing(user) {
  if (user && user.role === "partner") {
    return user.onboarding_completed_at ? "/admin/partner/dashboard" : "/admin/partner/onboarding";
  }
  return "/admin/dashboard";
}

export async function forgotPassword() {
  const input = h("input", { type: "email", name: "email", class: "input", autocomplete: "email" });
  const form = h(
    "form",
    { id: "forgotForm", class: "login-form" },
    h("div", { class: "input-group" }, h("label", {}, t("login.email"), h("span", { class: "required", text: " *" })), input),
    h("button", { type: "submit", class: "button-primary" }, t("login.reset_password")),
    h("div", { class: "forgot" }, link("/login", { text: t("general.back_to_login") })),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    handleError({ response: { status: 503, data: { message: "Password resets are not part of the reference." } } });
  });
  layout(form);
}

export async function installation() {
  layout(h("div", { class: "installation" }, h("h2", { text: "Installation" }), h("p", { text: "Step 1 of 7: system requirements." })));
}
