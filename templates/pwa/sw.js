// The site's service worker (homes/pwa.py renders it with CONFIG). It keeps the offline entry page and
// its static files so that the page opens with no connection; it never answers for the API (the
// page's queue sends records itself) nor for any other page than those it keeps.
"use strict";
const CONFIG = {{ config|safe }};
const ASSETS = "fb-assets-" + CONFIG.version;
const PAGES = "fb-pages-" + CONFIG.version;

// A page is kept only as its user fetched it: a redirect (to the login page) or an error is not.
async function keepPage(cache, url, response) {
  if (response.ok && !response.redirected && response.type === "basic") {
    await cache.put(url, response);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const assets = await caches.open(ASSETS);
    await assets.addAll(CONFIG.assets);
    const pages = await caches.open(PAGES);
    for (const url of CONFIG.pages) {
      try {
        await keepPage(pages, url, await fetch(url, { credentials: "same-origin", cache: "no-store" }));
      } catch (error) {
        // Offline while installing: the page is kept the next time it is opened online.
      }
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("fb-") && name !== ASSETS && name !== PAGES) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

function isKeptPage(url) {
  return CONFIG.pages.includes(url.pathname);
}

async function pageFromNetworkOrCache(request, url) {
  const pages = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (url.pathname === CONFIG.login) {
      // The login page: whoever logs in next must not find the previous user's pages.
      for (const key of await pages.keys()) { await pages.delete(key); }
    } else if (isKeptPage(url)) {
      await keepPage(pages, url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await pages.match(url.pathname);
    if (kept) { return kept; }
    // Any other page asked for offline: the entry page, which works without a connection.
    const entry = await pages.match(CONFIG.pages[0]);
    if (entry) { return entry; }
    throw error;
  }
}

// Kept files answer at once and are refreshed behind (a release renames them in production anyway).
async function assetFromCacheOrNetwork(event, request) {
  const assets = await caches.open(ASSETS);
  const kept = await assets.match(request, { ignoreSearch: true });
  const fresh = fetch(request).then(async (response) => {
    if (response.ok) { await assets.put(request, response.clone()); }
    return response;
  });
  if (kept) {
    event.waitUntil(fresh.catch(() => undefined));
    return kept;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) { return; }
  if (request.mode === "navigate") {
    event.respondWith(pageFromNetworkOrCache(request, url));
  } else if (url.pathname.startsWith(CONFIG.static) || url.pathname === "/manifest.webmanifest") {
    event.respondWith(assetFromCacheOrNetwork(event, request));
  }
});
