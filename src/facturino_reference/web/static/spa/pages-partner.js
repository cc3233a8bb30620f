// The partner portal: its layout loads the user from /api/v1/me after a full page load (a 401
// signs out), and has no notification root. The dashboard reads /partner/dashboard (twice, as
// the page and its statistics each load it), /partner/commissions and
// /partner/stripe-connect/status. A failed statistics call quietly becomes zeros, and zero
// active clients shows the empty state instead of the cards.

import { api, h, link, replace, state, storage } from "./vendor-core.js";
import { i18n, t } from "./vendor-i18n.js";
import { formatCurrency, handleError, logout } from "./vendor-ui.js";

const LOCALES = [
  ["en", "English"],
  ["mk", "Македонски"],
];

// --- the partner store ---------------------------------------------------------------------------
const store = {
  stats: { activeClients: 0, monthlyCommissions: 0, totalEarned: 0, pendingPayout: 0 },
  commissions: [],
  stripe: { connected: false, status: null },
  stripeLoading: false,
};

async function loadDashboardStats() {
  try {
    const { data } = await api("GET", "/partner/dashboard");
    const figures = data.data || {};
    store.stats = {
      activeClients: figures.active_clients || 0,
      monthlyCommissions: figures.monthly_commissions || 0,
      totalEarned: figures.total_earnings || 0,
      pendingPayout: figures.pending_payout || 0,
    };
  } catch (error) {
    console.error("Error loading dashboard stats:", error);
    store.stats = { activeClients: 0, monthlyCommissions: 0, totalEarned: 0, pendingPayout: 0 };
  }
}

async function loadRecentCommissions() {
  try {
    const { data } = await api("GET", "/partner/commissions");
    store.commissions = data.data || [];
  } catch (error) {
    console.error("Error loading recent commissions:", error);
    store.commissions = [];
  }
}

async function loadStripeStatus() {
  store.stripeLoading = true;
  try {
    const { data } = await api("GET", "/partner/stripe-connect/status");
    store.stripe = { connected: data.connected, status: data.status };
  } catch (error) {
    console.error("Error loading Stripe Connect status:", error);
  } finally {
    store.stripeLoading = false;
  }
}

// --- layout --------------------------------------------------------------------------------------
function layout(content) {
  const nav = [
    ["/admin/partner/dashboard", "partner.navigation.dashboard"],
    ["/admin/partner/clients", "partner.navigation.clients"],
    ["/admin/partner/commissions", "partner.navigation.commissions"],
    ["/admin/partner/portfolio", "partner.navigation.portfolio"],
    ["/admin/partner/payouts", "partner.navigation.payouts"],
  ];
  const language = h(
    "select",
    { class: "language", "aria-label": "Language" },
    LOCALES.map(([code, name]) => h("option", { value: code, selected: i18n.locale === code }, name)),
  );
  language.addEventListener("change", () => {
    i18n.setLocale(language.value);
    storage.set("invoiceshelf_locale", language.value);
    window.router.resolve();
  });
  const userName = h("span", { class: "current-user", text: (state.currentUser && state.currentUser.name) || "Partner" });
  replace(
    document.body,
    h(
      "div",
      { class: "partner-layout" },
      h(
        "nav",
        { class: "partner-nav" },
        h("h1", { class: "portal-title", text: t("partner.portal.title") }),
        h("div", { class: "partner-links" }, nav.map(([href, key]) => link(href, { text: t(key) }))),
        h("button", { type: "button", class: "console", onClick: () => window.router.push("/admin/console") }, t("partner.navigation.console")),
        language,
        userName,
        h("button", { type: "button", class: "logout", onClick: () => logout() }, t("partner.navigation.logout")),
      ),
      h("main", { class: "page" }, content),
    ),
  );
  if (!state.currentUser) {
    api("GET", "/me").then(
      ({ data }) => {
        state.currentUser = data.data;
        userName.textContent = (data.data && data.data.name) || "Partner";
      },
      (error) => {
        console.error("Failed to load user data:", error);
        handleError(error);
      },
    );
  }
}

// --- dashboard -----------------------------------------------------------------------------------
function skeleton(count, className) {
  return Array.from({ length: count }, () =>
    h("div", { class: `skeleton ${className}`, role: "status", "aria-label": t("partner_dashboard.loading") }),
  );
}

function statsSection() {
  const section = h(
    "div",
    { class: "stat-cards", role: "region", "aria-label": t("partner_dashboard.stats_section") },
    skeleton(4, "stat-card"),
  );
  loadDashboardStats().then(() => {
    const s = store.stats;
    const cards = [
      [t("partner_dashboard.active_clients"), String(s.activeClients ?? 0)],
      [t("partner_dashboard.monthly_commissions"), formatCurrency(s.monthlyCommissions)],
      [t("partner_dashboard.total_earned"), formatCurrency(s.totalEarned)],
      [t("partner_dashboard.pending_payout"), formatCurrency(s.pendingPayout)],
    ];
    replace(
      section,
      cards.map(([title, value]) =>
        h(
          "div",
          { class: "stat-card", role: "listitem", "aria-label": `${title}: ${value}` },
          h("p", { class: "stat-title", text: title }),
          h("p", { class: "stat-value", text: value }),
        ),
      ),
    );
  });
  return section;
}

function statusText(status) {
  return t("partner_dashboard.status_" + status) || status;
}

function typeText(type) {
  const key = "partner_dashboard.commission_type_" + type;
  const translated = t(key);
  return translated === key ? type : translated;
}

function commissionsCard() {
  const body = h("div", { class: "card-body" }, skeleton(3, "row"));
  loadRecentCommissions().then(() => {
    const rows = store.commissions.map((row) =>
      h(
        "tr",
        {},
        h("td", { text: row.company_name }),
        h("td", {}, h("span", { class: "capitalize", text: typeText(row.type) ?? "" })),
        h("td", { text: formatCurrency(row.amount) }),
        h("td", {}, h("span", { class: `badge status-${row.status}`, role: "status", text: statusText(row.status) })),
      ),
    );
    if (!rows.length) {
      rows.push(h("tr", {}, h("td", { colspan: 4, class: "empty", role: "status", text: t("partner_dashboard.no_recent_commissions") })));
    }
    const head = ["client", "type", "amount", "status"].map((key) => h("th", { scope: "col", text: t("partner_dashboard." + key) }));
    replace(body, h("table", { class: "table", role: "table" }, h("thead", {}, h("tr", {}, head)), h("tbody", {}, rows)));
  });
  const title = t("partner_dashboard.recent_commissions_title");
  return h("div", { class: "card", role: "region", "aria-label": title }, h("h4", { text: title }), body);
}

function activitiesCard() {
  // Recent activities have no endpoint upstream (a TODO in the store): always empty.
  const title = t("partner_dashboard.recent_activities_title");
  return h(
    "div",
    { class: "card", role: "region", "aria-label": title },
    h("h4", { text: title }),
    h("div", { role: "list" }, h("div", { class: "empty", role: "status", text: t("partner_dashboard.no_recent_activities") })),
  );
}

function stripeBanner() {
  const { connected, status } = store.stripe;
  if (store.stripeLoading) return h("div", { class: "banner skeleton", role: "status", "aria-label": t("partner_dashboard.loading") });
  if (connected && !["pending", "restricted", "disabled"].includes(status)) return null;
  const message = !connected ? t("partner_dashboard.stripe_connect_not_connected") : t(`partner_dashboard.stripe_connect_${status}`);
  const button = !connected
    ? t("partner_dashboard.stripe_connect_btn")
    : status === "pending"
      ? t("partner_dashboard.stripe_continue_btn")
      : t("partner_dashboard.stripe_activate_btn");
  return h(
    "div",
    { class: `banner banner-${connected ? status : "connect"}`, role: "alert", "aria-label": message },
    h("p", { text: message }),
    link("/admin/partner/payouts", { class: "button", text: button }),
  );
}

function emptyState() {
  return h(
    "div",
    { class: "empty-state" },
    h("h2", { text: t("partner_dashboard.empty_welcome") }),
    h("p", { text: t("partner_dashboard.empty_description") }),
    link("/admin/partner/portfolio", { class: "button", text: t("partner_dashboard.empty_add_company") }),
    link("/admin/partner/portfolio/companies/import", { class: "button-outline", text: t("partner_dashboard.empty_import_csv") }),
  );
}

export async function dashboard() {
  const content = h("div", { class: "partner-dashboard" });
  layout(content);
  const banner = h("div", { class: "banner-slot" }, stripeBanner());
  replace(content, banner, statsSection(), h("div", { class: "cards-2" }, commissionsCard(), activitiesCard()));
  await loadDashboardStats();
  if (store.stats.activeClients === 0) replace(content, emptyState());
  const loadingStripe = loadStripeStatus();
  replace(banner, stripeBanner());
  await loadingStripe;
  replace(banner, stripeBanner());
}

export async function onboarding() {
  layout(h("div", { class: "onboarding" }, h("h2", { text: "Onboarding" }), link("/admin/partner/dashboard", { text: t("partner.navigation.dashboard") })));
}

export async function other() {
  layout(h("div", {}, h("h2", { text: location.pathname })));
}
