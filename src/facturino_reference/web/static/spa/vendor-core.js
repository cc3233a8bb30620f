// The reference front end's runtime: DOM building, the API client and the router.
// Our own small code standing in for what Facturino's Vite build bundles (Vue, axios,
// vue-router, pinia); it behaves as the real SPA does towards the server (see the package
// README), it does not reproduce the real app's code.

// --- DOM -----------------------------------------------------------------------------------
// h("div", {class: "x", onClick: fn, role: "listitem"}, "text", child, [children]) builds an
// element; null/false children are skipped, arrays are flattened.
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "text") {
      element.textContent = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

// --- storage (the SPA's Ls helper) ---------------------------------------------------------
export const storage = {
  get: (key) => window.localStorage.getItem(key),
  set: (key, value) => window.localStorage.setItem(key, String(value)),
  remove: (key) => window.localStorage.removeItem(key),
};

// --- state shared by the pages (the SPA's stores) --------------------------------------------
export const state = {
  currentUser: null,
  currentCompany: null,
  isAppLoaded: false,
};

// --- the API client (axios as plugins/axios.js configures it) --------------------------------
export class ApiError extends Error {
  constructor(response, data) {
    super(response ? `HTTP ${response.status}` : "network error");
    this.response = response ? { status: response.status, statusText: response.statusText, data } : null;
  }
}

function readCookie(name) {
  const prefix = name + "=";
  const found = document.cookie.split("; ").find((c) => c.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : "";
}

function headers(hasBody) {
  const sent = { Accept: "application/json, text/plain, */*", "X-Requested-With": "XMLHttpRequest" };
  if (hasBody) sent["Content-Type"] = "application/json";
  const xsrf = readCookie("XSRF-TOKEN");
  if (xsrf) sent["X-XSRF-TOKEN"] = xsrf; // same-origin requests only, as axios does
  const token = storage.get("auth.token");
  if (token) sent.Authorization = token;
  const company = storage.get("selectedCompany");
  if (company) sent.company = company;
  return sent;
}

function query(params) {
  const pairs = Object.entries(params || {}).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

// api("GET", "/bootstrap") → {status, data}; a path starting with "http" is used as is
// (outside baseURL /api/v1), everything else is relative to /api/v1. Errors throw ApiError.
export async function api(method, path, options = {}) {
  const url = (path.startsWith("http") ? path : "/api/v1" + path) + query(options.params);
  const init = { method, credentials: "include", headers: headers(options.body !== undefined) };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new ApiError(null, null);
  }
  const text = await response.text();
  let data = text;
  try {
    data = text ? JSON.parse(text) : "";
  } catch (error) {
    // not JSON: the text is the data, as axios leaves it
  }
  if (!response.ok) throw new ApiError(response, data);
  return { status: response.status, data };
}

// --- the router (history mode) -----------------------------------------------------------------
// routes: [{path: "/login" | RegExp, view: async (params) => render function}]; a view gets
// the mount point and renders into it.
export function createRouter(routes, fallback) {
  const router = {
    current: null,
    async push(path) {
      if (path !== location.pathname + location.search) history.pushState({}, "", path);
      await router.resolve();
    },
    async replace(path) {
      history.replaceState({}, "", path);
      await router.resolve();
    },
    async resolve() {
      const path = location.pathname.replace(/\/+$/, "") || "/";
      for (const route of routes) {
        const match = typeof route.path === "string" ? path === route.path : path.match(route.path);
        if (match) {
          router.current = route;
          await route.view(match);
          return;
        }
      }
      router.current = null;
      await fallback(path);
    },
  };
  window.addEventListener("popstate", () => router.resolve());
  // In-app links (data-link) navigate without a page load, as router-link does.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[data-link]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    router.push(link.getAttribute("href"));
  });
  return router;
}

export function link(href, props, ...children) {
  return h("a", { href, "data-link": true, ...props }, ...children);
}
