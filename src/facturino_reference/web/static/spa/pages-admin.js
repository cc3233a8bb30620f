// The admin pages: the layout loads /api/v1/bootstrap once (user, company, the company header),
// then /admin/dashboard reads /api/v1/dashboard and /admin/invoices reads /api/v1/invoices.

import { api, h, link, replace, state, storage } from "./vendor-core.js";
import { t } from "./vendor-i18n.js";
import { formatMoney, handleError, logout, notificationRoot } from "./vendor-ui.js";

async function bootstrap() {
  if (state.isAppLoaded) return true;
  try {
    const { data } = await api("GET", "/bootstrap");
    state.currentUser = data.current_user;
    state.currentCompany = data.current_company;
    state.currentCurrency = data.current_company_currency;
    if (data.current_company) storage.set("selectedCompany", data.current_company.id);
    state.isAppLoaded = true;
    return true;
  } catch (error) {
    handleError(error);
    return false;
  }
}

function layout(content) {
  const user = state.currentUser || {};
  replace(
    document.body,
    h(
      "div",
      { class: "admin-layout" },
      notificationRoot(),
      h(
        "header",
        { class: "site-header" },
        h("span", { class: "brand", text: "Facturino" }),
        h(
          "nav",
          { class: "main-menu" },
          link("/admin/dashboard", { text: t("navigation.dashboard") }),
          link("/admin/invoices", { text: t("navigation.invoices") }),
          link("/admin/customers", { text: t("navigation.customers") }),
        ),
        h("span", { class: "current-user", text: user.name || "" }),
        h("button", { type: "button", class: "logout", onClick: () => logout() }, t("navigation.logout")),
      ),
      h("main", { class: "page" }, content),
    ),
  );
}

function loading() {
  return h("div", { class: "page-loading", role: "status", text: t("general.loading") });
}

async function withLayout(render) {
  layout(loading());
  if (!(await bootstrap())) return;
  const content = h("div", { class: "page-content" });
  layout(content);
  await render(content);
}

function statusLabel(status) {
  const key = { DRAFT: "general.draft", SENT: "general.sent", DUE: "general.due" }[status];
  return key ? t(key) : status;
}

export async function dashboard() {
  await withLayout(async (content) => {
    replace(content, h("h1", { text: t("general.dashboard") }), loading());
    let figures;
    try {
      figures = (await api("GET", "/dashboard")).data;
    } catch (error) {
      handleError(error);
      return;
    }
    const currency = state.currentCurrency;
    const card = (title, value) =>
      h("div", { class: "stat-card" }, h("p", { class: "stat-title", text: title }), h("p", { class: "stat-value", text: value }));
    const due = figures.recent_due_invoices || [];
    replace(
      content,
      h("h1", { text: t("general.dashboard") }),
      h(
        "div",
        { class: "stat-cards" },
        card(t("dashboard.cards.due_amount"), formatMoney(figures.total_amount_due, currency)),
        card(t("dashboard.cards.customers"), String(figures.total_customer_count)),
        card(t("dashboard.cards.invoices"), String(figures.total_invoice_count)),
      ),
      h(
        "section",
        { class: "card", "aria-label": t("dashboard.recent_invoices_card.title") },
        h("h2", { text: t("dashboard.recent_invoices_card.title") }),
        h(
          "table",
          { class: "table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { text: t("dashboard.recent_invoices_card.due_on") }),
              h("th", { text: t("invoices.invoice_number") }),
              h("th", { text: t("dashboard.recent_invoices_card.customer") }),
              h("th", { text: t("dashboard.recent_invoices_card.amount_due") }),
            ),
          ),
          h(
            "tbody",
            {},
            due.map((row) =>
              h(
                "tr",
                {},
                h("td", { text: row.due_date || "" }),
                h("td", {}, link(`/admin/invoices/${row.id}/view`, { text: row.invoice_number })),
                h("td", { text: row.customer_name || (row.customer && row.customer.name) || "" }),
                h("td", { text: formatMoney(row.due_amount, currency) }),
              ),
            ),
          ),
        ),
      ),
    );
  });
}

// The list: a table for wide screens and cards for narrow ones (both in the page, one hidden by
// CSS, as the real list renders them), newest first, ten per page.
export async function invoices() {
  await withLayout(async (content) => {
    replace(content, h("h1", { text: t("invoices.title") }), loading());
    let answer;
    try {
      answer = (await api("GET", "/invoices", { params: { orderByField: "created_at", orderBy: "desc", page: 1 } })).data;
    } catch (error) {
      handleError(error);
      return;
    }
    const rows = answer.data || [];
    if (!rows.length) {
      replace(content, h("h1", { text: t("invoices.title") }), h("p", { class: "empty", text: t("invoices.no_invoices") }));
      return;
    }
    const number = (row) => link(`/admin/invoices/${row.id}/view`, { class: "invoice-number", text: row.invoice_number });
    const total = (row) => formatMoney(row.total, (row.customer && row.customer.currency) || row.currency);
    const cards = h(
      "div",
      { class: "invoice-cards" },
      rows.map((row) =>
        h("div", { class: "invoice-card" }, number(row), h("span", { text: (row.customer && row.customer.name) || "" }), h("span", { text: total(row) })),
      ),
    );
    const table = h(
      "table",
      { class: "table invoice-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [t("invoices.date"), t("invoices.invoice_number"), t("invoices.customer"), t("invoices.status"), t("invoices.amount_due"), t("invoices.total")].map(
            (title) => h("th", { text: title }),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            {},
            h("td", { text: row.formatted_invoice_date || row.invoice_date || "" }),
            h("td", {}, number(row)),
            h("td", { text: (row.customer && row.customer.name) || "" }),
            h("td", {}, h("span", { class: `badge status-${String(row.status).toLowerCase()}`, text: statusLabel(row.status) })),
            h("td", { text: formatMoney(row.due_amount, row.currency) }),
            h("td", { text: total(row) }),
          ),
        ),
      ),
    );
    const meta = answer.meta || {};
    replace(
      content,
      h("h1", { text: t("invoices.title") }),
      cards,
      table,
      h("p", { class: "pagination", text: `${rows.length} / ${meta.total ?? meta.invoice_total_count ?? rows.length}` }),
    );
  });
}

export async function other() {
  await withLayout(async (content) => {
    replace(content, h("h1", { text: location.pathname }), h("p", { class: "muted", text: "—" }));
  });
}
