// Notifications (toasts), the SPA's error handling, the auth actions and money formats.

import { api, h, state, storage } from "./vendor-core.js";
import { t } from "./vendor-i18n.js";

// --- notifications -----------------------------------------------------------------------------
// Only layouts that mount a notification root show toasts (the login and admin layouts; the
// partner layout has none, so nothing is shown there).
let root = null;
const active = new Set(); // the store outlives a layout: a new root shows what is still open

export function notificationRoot() {
  root = h("div", { class: "notifications", "aria-live": "assertive" }, [...active]);
  return root;
}

export function showNotification({ type, message, title, time }) {
  if (!root || !root.isConnected) return;
  const success = type === "success" || type === "info";
  const item = h(
    "div",
    { class: `notification ${success ? "bg-white" : "bg-red-50"}`, role: "alert" },
    h("p", { class: "notification-title", text: title || (success ? "Success!" : "Error") }),
    h("p", { class: "notification-message", text: message || (success ? "Successful" : "Something went wrong") }),
  );
  const hide = () => {
    active.delete(item);
    item.remove();
  };
  item.addEventListener("click", hide);
  active.add(item);
  root.append(item);
  setTimeout(hide, time || 5000);
}

// --- error handling (helpers/error-handling.js as the SPA behaves) -------------------------------
// Server messages with a translation of their own; anything else is shown as sent.
const KNOWN_ERRORS = {
  "These credentials do not match our records.": "errors.login_invalid_credentials",
  "The email has already been taken.": "validation.email_already_taken",
  "The invoice number has already been taken.": "errors.invoice_number_used",
};

export function showToaster(message, translate = true) {
  showNotification({ type: "error", message: translate ? t(message) : message });
}

export function showError(message) {
  if (message in KNOWN_ERRORS) showToaster(KNOWN_ERRORS[message]);
  else showToaster(message, false);
}

export function handleError(error) {
  const response = error && error.response;
  if (!response) {
    showNotification({
      type: "error",
      message: "Please check your internet connection or wait until servers are back online.",
    });
    return;
  }
  const data = response.data || {};
  if (response.status === 401) {
    showToaster(data.message || "Unauthorized");
    logout();
  } else if (data.errors) {
    for (const field of Object.keys(data.errors)) showError(data.errors[field][0]);
  } else if (data.error) {
    showError(typeof data.error === "boolean" ? data.message : data.error);
  } else {
    showError(data.message);
  }
}

// --- auth (stores/auth.js) ------------------------------------------------------------------------
// The csrf-cookie request uses the absolute URL (outside /api/v1). If it fails, nothing settles:
// the button keeps spinning and no toast appears, as upstream.
export function login(credentials) {
  return new Promise((resolve, reject) => {
    api("GET", window.location.origin + "/sanctum/csrf-cookie").then((answer) => {
      if (!answer) return;
      api("POST", "/auth/login", { body: credentials }).then(resolve, (error) => {
        handleError(error);
        reject(error);
      });
    });
  });
}

let loggingOut = false;

// POST /auth/logout, then /login. Upstream a 401 here re-enters handleError and logs out again
// until the auth throttle answers 429; once is enough to get the user to /login.
export async function logout() {
  if (loggingOut) return;
  loggingOut = true;
  try {
    await api("POST", "/auth/logout");
    state.currentUser = null;
    state.isAppLoaded = false;
    showNotification({ type: "success", message: "Logged out successfully." });
  } catch (error) {
    if (!error.response || error.response.status !== 401) handleError(error);
  } finally {
    loggingOut = false;
    storage.remove("selectedCompany");
    await window.router.push("/login");
  }
}

// --- money --------------------------------------------------------------------------------------
// The admin pages format minor units with the currency's own separators (BaseFormatMoney).
export function formatMoney(minor, currency) {
  const c = currency || { precision: 2, thousand_separator: ",", decimal_separator: ".", symbol: "" };
  const precision = Number(c.precision ?? 2);
  const amount = Math.abs(Number(minor || 0)) / 100;
  const [whole, fraction] = amount.toFixed(precision).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, c.thousand_separator ?? ",");
  const number = fraction ? grouped + (c.decimal_separator ?? ".") + fraction : grouped;
  const sign = Number(minor) < 0 ? "-" : "";
  const symbol = c.symbol || c.code || "";
  return c.swap_currency_symbol ? `${sign}${number} ${symbol}` : `${sign}${symbol} ${number}`.trim();
}

// The partner pages use Intl with the mk-MK locale: what it prints depends on the browser's ICU
// data (Debian's Chromium has no mk data and prints €1,234.50; full ICU prints 1.234,50 €).
export function formatCurrency(amount, code) {
  return new Intl.NumberFormat("mk-MK", { style: "currency", currency: code || "EUR" }).format(amount || 0);
}
