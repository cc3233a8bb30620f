// Messages and the translate function. The UI language is <html lang> (Laravel's APP_LOCALE),
// else mk; a key missing in it falls back to en, and a key missing there too is shown as the
// key itself (vue-i18n's behaviour, which is how raw keys such as
// partner_dashboard.status_undefined reach the screen).

const en = {
  login: {
    email: "Email",
    password: "Password",
    login: "Login",
    forgot_password: "Forgot Password?",
    reset_password: "Reset Password",
  },
  validation: { required: "Field is required", email_incorrect: "Incorrect Email." },
  errors: { login_invalid_credentials: "These credentials do not match our records." },
  general: {
    home: "Home",
    dashboard: "Dashboard",
    logout: "Logout",
    loading: "Loading...",
    back_to_login: "Back to Login?",
    draft: "Draft",
    sent: "Sent",
    due: "Due",
    all: "All",
  },
  navigation: {
    dashboard: "Dashboard",
    invoices: "Invoices",
    customers: "Customers",
    items: "Items",
    payments: "Payments",
    settings: "Settings",
    logout: "Logout",
  },
  dashboard: {
    cards: { customers: "Customers", invoices: "Invoices", due_amount: "Amount Due" },
    recent_invoices_card: {
      title: "Due Invoices",
      customer: "Customer",
      amount_due: "Amount Due",
      due_on: "Due On",
    },
  },
  invoices: {
    title: "Invoices",
    date: "Date",
    invoice_number: "Invoice Number",
    customer: "CUSTOMER",
    status: "Status",
    amount_due: "AMOUNT DUE",
    total: "Total",
    no_invoices: "No Invoices yet!",
  },
  partner: {
    portal: { title: "Partner Portal" },
    navigation: {
      dashboard: "Dashboard",
      clients: "Clients",
      commissions: "Commissions",
      portfolio: "Portfolio",
      payouts: "Payouts",
      console: "Console",
      logout: "Logout",
    },
  },
  partner_dashboard: {
    stats_section: "Partner Statistics",
    loading: "Loading...",
    active_clients: "Active Clients",
    monthly_commissions: "Monthly Commissions",
    total_earned: "Total Earned",
    pending_payout: "Pending Payout",
    recent_commissions_title: "Recent Commissions",
    recent_activities_title: "Recent Activities",
    client: "Client",
    type: "Type",
    amount: "Amount",
    status: "Status",
    status_pending: "Pending",
    status_approved: "Approved",
    status_paid: "Paid",
    commission_type_signup: "Signup",
    commission_type_subscription: "Subscription",
    commission_type_renewal: "Renewal",
    no_recent_commissions: "No recent commissions",
    no_recent_activities: "No recent activities",
    stripe_connect_not_connected: "Connect to Stripe to receive automatic commission payouts",
    stripe_connect_pending: "Complete your Stripe registration to start receiving payouts",
    stripe_connect_restricted: "Your Stripe account has restrictions - action required",
    stripe_connect_disabled: "Your Stripe account is disabled - action required",
    stripe_connect_btn: "Connect",
    stripe_continue_btn: "Continue",
    stripe_activate_btn: "Activate",
    empty_welcome: "Welcome to Facturino!",
    empty_description:
      "Your partner portfolio is where you manage all your client companies. Add your first " +
      "company to start tracking invoices, commissions, and financial reports.",
    empty_add_company: "Add your first company",
    empty_import_csv: "Import companies from CSV",
  },
};

const mk = {
  login: {
    email: "Е-пошта",
    password: "Лозинка",
    login: "Најава",
    forgot_password: "Заборавена лозинка?",
    reset_password: "Ресетирај лозинка",
  },
  validation: { required: "Ова поле е задолжително", email_incorrect: "Неточна е-пошта." },
  // errors.login_invalid_credentials is missing in mk upstream too: en is shown.
  general: {
    home: "Почетна",
    dashboard: "Контролна табла",
    logout: "Одјава",
    loading: "Вчитување...",
    back_to_login: "Назад до најава?",
    draft: "Нацрт",
    sent: "Испратено",
    due: "Достасува",
    all: "Сите",
  },
  navigation: {
    dashboard: "Контролна табла",
    invoices: "Фактури",
    customers: "Клиенти",
    items: "Ставки",
    payments: "Плаќања",
    settings: "Поставувања",
    logout: "Одјави се",
  },
  dashboard: {
    cards: { customers: "Клиенти", invoices: "Фактури", due_amount: "Доспеан износ" },
    recent_invoices_card: {
      title: "Доспеани фактури",
      customer: "Клиент",
      amount_due: "Доспеан износ",
      due_on: "Доспева на",
    },
  },
  invoices: {
    title: "Фактури",
    date: "Датум",
    invoice_number: "Број на фактура",
    customer: "Клиент",
    status: "Статус",
    amount_due: "Износ за плаќање",
    total: "Вкупно",
    no_invoices: "Нема фактури",
  },
  partner: {
    portal: { title: "Partner Portal" },
    navigation: {
      dashboard: "Контролна табла",
      clients: "Клиенти",
      commissions: "Провизии",
      portfolio: "Портфолио",
      payouts: "Исплати",
      console: "Конзола",
      logout: "Одјава",
    },
  },
  partner_dashboard: {
    stats_section: "Партнерска статистика",
    loading: "Се вчитува...",
    active_clients: "Активни Клиенти",
    monthly_commissions: "Месечни Провизии",
    total_earned: "Вкупно Заработено",
    pending_payout: "Чека Исплата",
    recent_commissions_title: "Најнови Провизии",
    recent_activities_title: "Најнови Активности",
    client: "Клиент",
    type: "Тип",
    amount: "Износ",
    status: "Статус",
    status_pending: "Чека",
    status_approved: "Одобрено",
    status_paid: "Платено",
    commission_type_signup: "Регистрација",
    commission_type_subscription: "Претплата",
    commission_type_renewal: "Обнова",
    no_recent_commissions: "Нема најнови провизии",
    no_recent_activities: "Нема најнови активности",
    stripe_connect_not_connected:
      "Поврзете се со Stripe за да примате автоматски исплати на провизии",
    stripe_connect_pending: "Завршете ја Stripe регистрацијата за да почнете да примате исплати",
    stripe_connect_restricted: "Вашата Stripe сметка има ограничувања - потребна е акција",
    stripe_connect_disabled: "Вашата Stripe сметка е деактивирана - потребна е акција",
    stripe_connect_btn: "Поврзи се",
    stripe_continue_btn: "Продолжи",
    stripe_activate_btn: "Активирај",
    empty_welcome: "Добредојдовте во Facturino!",
    empty_description:
      "Вашето партнерско портфолио е местото каде ги управувате сите клиентски компании. " +
      "Додадете ја вашата прва компанија за да почнете да следите фактури, провизии и " +
      "финансиски извештаи.",
    empty_add_company: "Додадете ја вашата прва компанија",
    empty_import_csv: "Увезете компании од CSV",
  },
};

const MESSAGES = { en, mk };
const FALLBACK = "en";

function lookup(messages, key) {
  let node = messages;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object" || !(part in node)) return undefined;
    node = node[part];
  }
  return typeof node === "string" ? node : undefined;
}

export const i18n = {
  locale: document.documentElement.lang || "mk",
  setLocale(locale) {
    i18n.locale = locale;
    document.documentElement.lang = locale;
  },
};

export function t(key) {
  const locale = i18n.locale.split("-")[0];
  return lookup(MESSAGES[locale] || {}, key) ?? lookup(MESSAGES[FALLBACK], key) ?? key;
}
