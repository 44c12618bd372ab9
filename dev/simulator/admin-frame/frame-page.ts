// The local admin frame's page: what admin.shopify.com draws around an embedded app (the app's
// navigation from its ui-nav-menu, the title bar from its ui-title-bar, toasts, the loading bar)
// with the app in an iframe. The page script answers the App Bridge stand-in's messages
// (./app-bridge-stand-in.js), including its requests for session tokens.

export const STAND_IN_PREFIX = "/__admin-stand-in";
export const MESSAGE_SOURCE = "tally-admin-stand-in";

export interface FramePageOptions {
  store: string;
  shop: string;
  appHandle: string;
  appName: string;
  /** The iframe's first address: the app path with embedded, host, shop, locale and id_token. */
  iframeSrc: string;
  locale: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function framePage(options: FramePageOptions): string {
  const settings = JSON.stringify({
    source: MESSAGE_SOURCE,
    frameBase: `/store/${options.store}/apps/${options.appHandle}`,
    tokenUrl: `${STAND_IN_PREFIX}/session-token`,
  }).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="${escapeHtml(options.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(options.appName)} · ${escapeHtml(options.shop)} · local Shopify admin</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: #f1f1f1; color: #303030; height: 100vh; display: grid; grid-template-rows: 48px 1fr; }
  .top { display: flex; align-items: center; gap: 12px; padding: 0 16px; background: #1a1a1a; color: #e3e3e3; }
  .top strong { color: #fff; }
  .top .stand-in { margin-left: auto; font-size: 12px; color: #b5b5b5; }
  .layout { display: grid; grid-template-columns: 240px 1fr; min-height: 0; }
  nav { padding: 12px 8px; background: #ebebeb; border-right: 1px solid #d4d4d4; overflow: auto; }
  nav .apps { margin: 0 8px 8px; font-size: 12px; font-weight: 600; color: #616161; }
  nav ul { list-style: none; margin: 0; padding: 0; }
  nav a { display: block; padding: 6px 12px; border-radius: 8px; color: #303030; text-decoration: none; }
  nav ul ul a { padding-left: 28px; }
  nav a:hover { background: #e0e0e0; }
  nav a[aria-current="page"] { background: #fff; font-weight: 600; }
  main { display: grid; grid-template-rows: auto 3px 1fr; min-height: 0; }
  .title-bar { display: flex; align-items: center; gap: 8px; padding: 10px 20px; background: #f1f1f1; border-bottom: 1px solid #e3e3e3; min-height: 52px; }
  .title-bar h1 { flex: 1; margin: 0; font-size: 16px; }
  .title-bar button { font: inherit; padding: 6px 12px; border-radius: 8px; border: 1px solid #8a8a8a; background: #fff; color: #303030; cursor: pointer; }
  .title-bar button[data-variant="primary"] { background: #303030; color: #fff; border-color: #303030; }
  .title-bar button:disabled { opacity: .5; cursor: default; }
  #loading { background: #d4d4d4; overflow: hidden; }
  #loading[data-on="true"]::after { content: ""; display: block; height: 100%; width: 40%; background: #005bd3; animation: slide 1s linear infinite; }
  @keyframes slide { from { transform: translateX(-100%); } to { transform: translateX(250%); } }
  iframe { width: 100%; height: 100%; border: 0; background: #f1f1f1; }
  #toasts { position: fixed; bottom: 24px; left: 50%; transform: translateX(-50%); display: grid; gap: 8px; }
  .toast { padding: 10px 16px; border-radius: 10px; background: #1a1a1a; color: #fff; box-shadow: 0 4px 16px rgba(0,0,0,.25); }
  .toast[data-error="true"] { background: #8e1f0b; }
</style>
</head>
<body>
<header class="top"><strong>Shopify admin</strong><span>${escapeHtml(options.shop)}</span><span class="stand-in">local stand-in: no Shopify account needed</span></header>
<div class="layout">
  <nav aria-label="Apps">
    <p class="apps">Apps</p>
    <ul><li><a id="app-home" href="/store/${escapeHtml(options.store)}/apps/${escapeHtml(options.appHandle)}/app">${escapeHtml(options.appName)}</a><ul id="app-nav"></ul></li></ul>
  </nav>
  <main>
    <div class="title-bar"><h1 id="title-bar-title">${escapeHtml(options.appName)}</h1><div id="title-bar-actions"></div></div>
    <div id="loading" data-on="false" role="progressbar" aria-label="Loading" aria-hidden="true"></div>
    <iframe id="app-frame" name="app-iframe" title="${escapeHtml(options.appName)}" src="${escapeHtml(options.iframeSrc)}"></iframe>
  </main>
</div>
<div id="toasts" role="status" aria-live="polite"></div>
<script>
(() => {
  const settings = ${settings};
  const frame = document.getElementById("app-frame");
  const navList = document.getElementById("app-nav");
  const home = document.getElementById("app-home");
  let homeHref = "/app";
  let currentPath = "";

  const send = (message) => frame.contentWindow?.postMessage({ source: settings.source, ...message }, location.origin);
  const adminPath = (appPath) => settings.frameBase + appPath;
  const navigate = (href) => send({ type: "navigate", href });
  const pathOnly = (path) => path.split("?")[0].replace(/\\/$/, "") || "/";

  function markCurrent() {
    const here = pathOnly(currentPath);
    for (const link of document.querySelectorAll("nav a[data-href]")) {
      const target = pathOnly(link.dataset.href);
      const current = link === home ? here === target : here === target || here.startsWith(target + "/");
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  function onNavClick(event) {
    const link = event.currentTarget;
    if (event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(link.dataset.href);
  }
  home.dataset.href = homeHref;
  home.addEventListener("click", onNavClick);

  const handlers = {
    async "id-token-request"(message) {
      const response = await fetch(settings.tokenUrl, { method: "POST" });
      const { token } = await response.json();
      send({ type: "id-token", requestId: message.requestId, token });
    },
    "nav-menu"(message) {
      navList.replaceChildren();
      for (const item of message.items) {
        if (item.home) {
          homeHref = item.href;
          home.dataset.href = item.href;
          home.href = adminPath(item.href);
          continue;
        }
        const link = document.createElement("a");
        link.textContent = item.label;
        link.href = adminPath(item.href);
        link.dataset.href = item.href;
        link.addEventListener("click", onNavClick);
        const entry = document.createElement("li");
        entry.append(link);
        navList.append(entry);
      }
      markCurrent();
    },
    "title-bar"(message) {
      document.getElementById("title-bar-title").textContent = message.title || home.textContent;
      const actions = document.getElementById("title-bar-actions");
      actions.replaceChildren(
        ...message.buttons.map((button, index) => {
          const element = document.createElement("button");
          element.type = "button";
          element.textContent = button.label;
          element.dataset.variant = button.variant;
          element.disabled = button.disabled || button.loading;
          element.addEventListener("click", () => send({ type: "title-bar-action", index }));
          return element;
        }),
      );
    },
    toast(message) {
      const element = document.createElement("div");
      element.className = "toast";
      element.dataset.id = message.id;
      element.dataset.error = String(message.isError);
      element.textContent = message.message;
      document.getElementById("toasts").append(element);
      setTimeout(() => element.remove(), message.duration);
    },
    "toast-hide"(message) {
      document.querySelector('.toast[data-id="' + CSS.escape(message.id) + '"]')?.remove();
    },
    loading(message) {
      document.getElementById("loading").dataset.on = String(message.on);
    },
    location(message) {
      const url = new URL(message.path, location.origin);
      for (const name of ["embedded", "host", "shop", "locale", "id_token", "hmac", "timestamp", "session"]) url.searchParams.delete(name);
      currentPath = url.pathname + url.search;
      const locale = new URL(location.href).searchParams.get("locale");
      const shown = new URL(adminPath(currentPath), location.origin);
      if (locale) shown.searchParams.set("locale", locale);
      if (shown.pathname.startsWith(settings.frameBase)) history.replaceState(null, "", shown.pathname + shown.search);
      markCurrent();
    },
  };

  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow || event.origin !== location.origin || event.data?.source !== settings.source) return;
    handlers[event.data.type]?.(event.data);
  });
})();
</script>
</body>
</html>
`;
}
