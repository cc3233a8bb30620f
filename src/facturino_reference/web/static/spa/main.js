// Entry chunk (manifest key resources/scripts/main.js): defines window.Facturino, whose start()
// the shell's inline script calls; nothing renders without it. Pages are loaded lazily, one
// chunk per layout, as the real build splits its routes.

import { createRouter, h, replace } from "./vendor-core.js";
import { t } from "./vendor-i18n.js";
// Loaded with the entry (and preloaded by the shell) so a page chunk starts without a waterfall.
import "./vendor-validation.js";
import "./vendor-ui.js";

const guest = () => import("./pages-auth.js");
const admin = () => import("./pages-admin.js");
const partner = () => import("./pages-partner.js");

function page(load, name) {
  return async (match) => {
    const chunk = await load();
    await chunk[name](document.body, match);
  };
}

const routes = [
  { path: "/", view: page(guest, "login") },
  { path: "/login", view: page(guest, "login") },
  { path: "/forgot-password", view: page(guest, "forgotPassword") },
  { path: "/installation", view: page(guest, "installation") },
  { path: "/admin/partner", view: page(partner, "dashboard") },
  { path: "/admin/partner/dashboard", view: page(partner, "dashboard") },
  { path: "/admin/partner/onboarding", view: page(partner, "onboarding") },
  { path: /^\/admin\/partner\/.+$/, view: page(partner, "other") },
  { path: "/admin", view: page(admin, "dashboard") },
  { path: "/admin/dashboard", view: page(admin, "dashboard") },
  { path: "/admin/invoices", view: page(admin, "invoices") },
  { path: /^\/admin\/.+$/, view: page(admin, "other") },
];

async function notFound() {
  replace(
    document.body,
    h("main", { class: "not-found" }, h("h1", { text: "404" }), h("a", { href: "/login", text: t("general.home") })),
  );
}

class Facturino {
  start() {
    window.router = createRouter(routes, notFound);
    return window.router.resolve();
  }
}

window.Facturino = new Facturino();

// The PWA worker (network-first for /api/* with a cache fallback): browsers under test should
// block service workers, or they may be shown a cached API answer.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).catch((error) => {
      console.warn("SW registration failed:", error);
    });
  });
}
