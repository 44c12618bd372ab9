// A local stand-in for Shopify's App Bridge (https://cdn.shopify.com/shopifycloud/app-bridge.js),
// served by the local admin frame (./server.ts) in place of the CDN script. It does, inside the
// app's iframe, what Tally's pages use of the real one: a Bearer session token on every
// same-origin fetch (retried once with a fresh token when the app asks for it), `shopify.idToken()`,
// `shopify.config`, toasts, the loading bar, and the `ui-nav-menu`, `ui-title-bar`, `ui-save-bar`
// and `ui-modal` elements. Tokens come from the parent frame (the "admin"), as they do from
// admin.shopify.com, over postMessage. Plain browser JavaScript: it is served as it is.
(() => {
  const SOURCE = "tally-admin-stand-in";
  const script = document.currentScript;
  const params = new URLSearchParams(location.search);
  const remembered = JSON.parse(sessionStorage.getItem(SOURCE) || "{}");
  const config = {
    apiKey: script?.getAttribute("data-api-key") || remembered.apiKey || "",
    shop: params.get("shop") || remembered.shop || "",
    host: params.get("host") || remembered.host || "",
    locale: params.get("locale") || remembered.locale || "en",
  };
  sessionStorage.setItem(SOURCE, JSON.stringify(config));
  const parentWindow = window.parent === window ? null : window.parent;

  function post(message) {
    parentWindow?.postMessage({ source: SOURCE, ...message }, location.origin);
  }

  // ---- Session tokens: asked of the admin frame, kept until shortly before they expire.
  const pending = new Map();
  let nextRequest = 1;
  let cached = null;
  window.addEventListener("message", (event) => {
    if (event.source !== parentWindow || event.data?.source !== SOURCE) return;
    const message = event.data;
    if (message.type === "id-token") {
      pending.get(message.requestId)?.(message.token);
      pending.delete(message.requestId);
    } else if (message.type === "navigate") {
      navigate(message.href);
    } else if (message.type === "title-bar-action") {
      titleBarButtons()[message.index]?.click();
    }
  });

  function tokenExpiry(token) {
    try {
      const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      return payload.exp * 1000;
    } catch {
      return 0;
    }
  }

  async function idToken() {
    if (cached && tokenExpiry(cached) - Date.now() > 10_000) return cached;
    if (!parentWindow) throw new Error("The App Bridge stand-in runs only inside the local admin frame.");
    const requestId = nextRequest++;
    const token = await new Promise((resolve, reject) => {
      pending.set(requestId, resolve);
      setTimeout(() => pending.has(requestId) && (pending.delete(requestId), reject(new Error("The admin frame gave no session token."))), 10_000);
      post({ type: "id-token-request", requestId });
    });
    cached = token;
    return token;
  }

  // ---- fetch: same-origin requests carry the session token, as real App Bridge adds it.
  const originalFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin) return originalFetch(input, init);
    const retryInput = input instanceof Request ? input.clone() : input;
    const send = async (requestInput, fresh) => {
      if (fresh) cached = null;
      const headers = new Headers(init?.headers ?? (requestInput instanceof Request ? requestInput.headers : undefined));
      headers.set("Authorization", `Bearer ${await idToken()}`);
      return originalFetch(requestInput, { ...init, headers });
    };
    const response = await send(input, false);
    // The library answers 401 with this header when the token was refused: one retry, fresh token.
    if (response.status === 401 && response.headers.get("X-Shopify-Retry-Invalid-Session-Request") === "1") return send(retryInput, true);
    return response;
  };

  // ---- The bounce page (/auth/session-token): reload the app with a fresh token, as App Bridge
  // does. The reload URL names the app's own address; the frame serves the app at its origin.
  if (location.pathname === "/auth/session-token") {
    const reload = new URL(params.get("shopify-reload") || "/app", location.href);
    idToken().then((token) => {
      const target = new URL(reload.pathname + reload.search, location.href);
      target.searchParams.set("id_token", token);
      location.replace(target.href);
    });
  }

  // ---- Navigation: links in the admin's nav arrive as shopify:navigate events, which the app's
  // AppProvider turns into Remix navigations.
  function navigate(href) {
    const link = Array.from(document.querySelectorAll("ui-nav-menu a")).find((a) => a.getAttribute("href") === href);
    if (link) {
      link.dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true }));
      return;
    }
    // Not in the menu (the app's home, say): a hidden link carries the address as the event's target.
    const anchor = document.createElement("a");
    anchor.setAttribute("href", href);
    anchor.hidden = true;
    document.body.append(anchor);
    anchor.dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true }));
    anchor.remove();
  }

  function reportLocation() {
    post({ type: "location", path: location.pathname + location.search });
  }
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method].bind(history);
    history[method] = (...args) => {
      original(...args);
      reportLocation();
    };
  }
  window.addEventListener("popstate", reportLocation);

  // ---- Toasts and the loading bar are the admin's: shown by the frame.
  let nextToast = 1;
  const toast = {
    show(message, options = {}) {
      const id = `toast-${nextToast++}`;
      post({ type: "toast", id, message: String(message), isError: Boolean(options.isError), duration: options.duration ?? 5000 });
      return id;
    },
    hide(id) {
      post({ type: "toast-hide", id });
    },
  };

  // ---- Custom elements.
  const style = document.createElement("style");
  style.textContent =
    "ui-nav-menu,ui-title-bar,ui-save-bar,ui-modal{display:none}" +
    ".tally-stand-in-save-bar{position:sticky;top:0;z-index:600;display:flex;gap:8px;align-items:center;padding:8px 16px;background:#1a1a1a;color:#fff;font:600 14px system-ui,sans-serif}" +
    ".tally-stand-in-save-bar span{flex:1}" +
    ".tally-stand-in-dialog{border:none;border-radius:12px;padding:0;min-width:min(620px,90vw);box-shadow:0 8px 32px rgba(0,0,0,.3);font:14px system-ui,sans-serif}" +
    ".tally-stand-in-dialog header,.tally-stand-in-dialog footer{display:flex;gap:8px;align-items:center;padding:12px 16px;background:#f1f1f1}" +
    ".tally-stand-in-dialog header h2{flex:1;margin:0;font-size:14px}.tally-stand-in-dialog footer{justify-content:flex-end}" +
    ".tally-stand-in-dialog button{font:inherit;padding:6px 12px;border-radius:8px;border:1px solid #8a8a8a;background:#fff;color:#303030;cursor:pointer}" +
    ".tally-stand-in-dialog button[data-variant=primary],.tally-stand-in-save-bar button[data-variant=primary]{background:#303030;color:#fff;border-color:#303030}";
  document.head.append(style);

  const buttonsOf = (element) => Array.from(element.children).filter((child) => child.tagName === "BUTTON");
  const describeButton = (button) => ({
    label: button.textContent.trim(),
    variant: button.getAttribute("variant") || "",
    tone: button.getAttribute("tone") || "",
    disabled: button.disabled || button.hasAttribute("disabled"),
    loading: button.hasAttribute("loading"),
  });
  const mirrorButton = (button) => {
    const copy = document.createElement("button");
    copy.type = "button";
    copy.textContent = button.textContent.trim();
    copy.dataset.variant = button.getAttribute("variant") || "";
    copy.disabled = button.disabled || button.hasAttribute("disabled") || button.hasAttribute("loading");
    copy.addEventListener("click", () => button.click());
    return copy;
  };
  const watch = (element, callback) => {
    const observer = new MutationObserver(callback);
    observer.observe(element, { subtree: true, childList: true, attributes: true, characterData: true });
    return observer;
  };

  class NavMenu extends HTMLElement {
    connectedCallback() {
      this.observer = watch(this, () => this.report());
      this.report();
    }
    disconnectedCallback() {
      this.observer?.disconnect();
    }
    report() {
      const items = Array.from(this.querySelectorAll("a")).map((a) => ({ label: a.textContent.trim(), href: a.getAttribute("href") || "", home: a.getAttribute("rel") === "home" }));
      post({ type: "nav-menu", items });
    }
  }

  const titleBars = new Set();
  function pageTitleBar() {
    return Array.from(titleBars).find((bar) => bar.isConnected && !bar.closest("ui-modal"));
  }
  function titleBarButtons() {
    const bar = pageTitleBar();
    return bar ? buttonsOf(bar) : [];
  }
  function reportTitleBar() {
    const bar = pageTitleBar();
    post({ type: "title-bar", title: bar?.getAttribute("title") || "", buttons: bar ? buttonsOf(bar).map(describeButton) : [] });
  }
  class TitleBar extends HTMLElement {
    connectedCallback() {
      titleBars.add(this);
      this.observer = watch(this, () => (this.closest("ui-modal") ? this.closest("ui-modal").render() : reportTitleBar()));
      reportTitleBar();
    }
    disconnectedCallback() {
      titleBars.delete(this);
      this.observer?.disconnect();
      reportTitleBar();
    }
  }

  class SaveBar extends HTMLElement {
    connectedCallback() {
      this.observer = watch(this, () => this.showing && this.render());
    }
    disconnectedCallback() {
      this.observer?.disconnect();
      this.bar?.remove();
    }
    get showing() {
      return Boolean(this.bar?.isConnected);
    }
    render() {
      this.bar ??= Object.assign(document.createElement("div"), { className: "tally-stand-in-save-bar" });
      this.bar.setAttribute("role", "region");
      this.bar.setAttribute("aria-label", "Save bar");
      const label = document.createElement("span");
      label.textContent = "Unsaved changes";
      this.bar.replaceChildren(label, ...buttonsOf(this).map(mirrorButton));
      if (!this.bar.isConnected) document.body.prepend(this.bar);
    }
    async show() {
      this.render();
      this.dispatchEvent(new Event("show"));
    }
    async hide() {
      if (!this.showing) return;
      this.bar.remove();
      this.dispatchEvent(new Event("hide"));
    }
    async toggle() {
      return this.showing ? this.hide() : this.show();
    }
  }

  class Modal extends HTMLElement {
    constructor() {
      super();
      // App Bridge React portals the modal's content into this element.
      this.content = document.createElement("div");
    }
    get open() {
      return Boolean(this.dialog?.open);
    }
    render() {
      if (!this.dialog) {
        this.dialog = document.createElement("dialog");
        this.dialog.className = "tally-stand-in-dialog";
        this.dialog.addEventListener("cancel", (event) => {
          event.preventDefault();
          this.hide();
        });
      }
      const bar = this.querySelector("ui-title-bar");
      const header = document.createElement("header");
      const heading = document.createElement("h2");
      heading.id = `${this.id || "modal"}-title`;
      heading.textContent = bar?.getAttribute("title") || "";
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "✕";
      close.setAttribute("aria-label", "Close");
      close.addEventListener("click", () => this.hide());
      header.append(heading, close);
      this.dialog.setAttribute("aria-labelledby", heading.id);
      const footer = document.createElement("footer");
      footer.append(...(bar ? buttonsOf(bar).map(mirrorButton) : []));
      this.dialog.replaceChildren(header, this.content, ...(footer.children.length ? [footer] : []));
    }
    async show() {
      this.render();
      if (!this.dialog.isConnected) document.body.append(this.dialog);
      if (!this.dialog.open) {
        this.dialog.showModal();
        this.dispatchEvent(new Event("show"));
      }
    }
    async hide() {
      if (!this.dialog?.open) return;
      this.dialog.close();
      this.dispatchEvent(new Event("hide"));
    }
    async toggle() {
      return this.open ? this.hide() : this.show();
    }
    disconnectedCallback() {
      this.dialog?.remove();
    }
  }

  customElements.define("ui-nav-menu", NavMenu);
  customElements.define("ui-title-bar", TitleBar);
  customElements.define("ui-save-bar", SaveBar);
  customElements.define("ui-modal", Modal);

  const byId = (id) => {
    const element = document.getElementById(id);
    if (!element) throw new Error(`No element with id "${id}"`);
    return element;
  };

  window.shopify = {
    config,
    origin: location.origin,
    environment: { embedded: true, mobile: false, pos: false },
    idToken,
    toast,
    loading(on) {
      post({ type: "loading", on: on !== false });
    },
    modal: { show: (id) => byId(id).show(), hide: (id) => byId(id).hide(), toggle: (id) => byId(id).toggle() },
    saveBar: {
      show: (id) => byId(id).show(),
      hide: (id) => byId(id).hide(),
      toggle: (id) => byId(id).toggle(),
      // Nothing asks to leave the local frame: leaving is always allowed.
      leaveConfirmation: async () => {},
    },
    user: async () => ({ accountAccess: "Account owner" }),
  };

  reportLocation();
})();
