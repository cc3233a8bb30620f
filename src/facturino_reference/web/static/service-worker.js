// Facturino reference service worker (public/service-worker.js), registered by main.js.
// Like the real one: /api/* and /build/* network-first with a cache fallback (a browser that
// lets it run can be shown a stale API answer when the network fails), favicons and images
// cache-first. Test browsers should block service workers.
const STATIC_CACHE = "facturino-reference-static";
const API_CACHE = "facturino-reference-api";
const STATIC_ASSET = /\.(?:png|ico|svg|jpg|jpeg|webp|woff2?|ttf)$/;

self.addEventListener("install", (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) {
    event.respondWith(networkFirst(request, API_CACHE));
  } else if (url.pathname.startsWith("/build/")) {
    event.respondWith(networkFirst(request, STATIC_CACHE));
  } else if (STATIC_ASSET.test(url.pathname)) {
    event.respondWith(cacheFirst(request, STATIC_CACHE));
  }
});

async function cacheFirst(request, cacheName) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(cacheName)).put(request, response.clone());
  return response;
}

async function networkFirst(request, cacheName) {
  try {
    const response = await fetch(request);
    if (response.ok) (await caches.open(cacheName)).put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request);
    if (cached) return cached;
    return new Response(JSON.stringify({ error: "offline" }), {
      status: 503,
      headers: { "Content-Type": "application/json" },
    });
  }
}
