// The production server (`npm start`): the Remix build behind Express, as remix-serve runs it,
// minus what the two hot paths pay for on every request: an access log line, gzip of bodies that
// are empty or tiny, Remix's route matching (see webhookHandler), and for storefront reads
// through the app proxy Express itself (see proxyHandler).
// WEB_CONCURRENCY workers (default: one per CPU) share the port through node:cluster; the app
// is stateless, so any worker can take any request.
import cluster from "node:cluster";
import http from "node:http";
import { Readable } from "node:stream";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import { matchRoutes } from "@remix-run/router";
import compression from "compression";
import express from "express";

// Exact 64-bit ids need JSON.rawJSON and JSON.parse's source text (Node 22+); `npm start`
// runs the project's own Node 24 (the `node` devDependency), a bare `node` may be older.
if (typeof JSON.rawJSON !== "function") {
  console.error(`Tally needs Node 22 or later; this is ${process.version}. Start it with \`npm start\`.`);
  process.exit(1);
}

/** Far above any order Shopify sends (an order's JSON is KBs to a few hundred KB). */
const MAX_WEBHOOK_BYTES = 10 * 1024 * 1024;

process.env.NODE_ENV ??= "production";
// Importing the build parses the environment (app/env.server.ts, app/runtime-env.server.ts):
// a missing or malformed variable stops the server here, before any worker starts.
const build = await import("./build/server/index.js").catch((error) => {
  if (error?.name !== "EnvironmentError") throw error;
  console.error(error.message);
  process.exit(1);
});
const { workers, port, host } = build.entry.module.runtimeEnv;

if (cluster.isPrimary && workers > 1) {
  // GET /metrics in any worker answers with every worker's figures, summed here.
  build.entry.module.serveClusterMetrics();
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (signal !== "SIGTERM" && code !== 0) cluster.fork();
  });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.once(signal, () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
    });
  }
} else {
  await serve();
}

async function serve() {
  installGlobals({ nativeFetch: true });
  const app = express();
  app.disable("x-powered-by");
  app.use(compression({ filter: (req, res) => !req.path.startsWith("/webhooks/") && compression.filter(req, res) }));
  // Every POST: any path Remix would route to a webhook action must meet the body limit.
  app.post("*", webhookHandler(build));
  app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

  const proxy = proxyHandler(build);
  const server = http.createServer((req, res) => {
    dropBodyLeftUnread(req, res);
    if (!proxy(req, res)) app(req, res);
  });
  server.listen(port, host, () => {
    if (cluster.isPrimary || cluster.worker?.id === 1) console.log(`Tally listening on http://${host ?? "localhost"}:${port}`);
  });
  // Background jobs (storefront sync, shop redaction, …) run in every worker; the database's
  // leases run each job in one process at a time.
  build.entry.module.startBackgroundJobs().catch((error) => console.error("background jobs could not start", error));
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.once(signal, () => {
      server.close();
      // A job cut short here is taken over by another process when its lease runs out.
      Promise.race([build.entry.module.stopBackgroundJobs(), new Promise((resolve) => setTimeout(resolve, 5000))]).then(() => process.exit(0));
    });
  }
}

/**
 * POSTs to a webhook route go straight to that route's action. Shopify delivers webhooks to the
 * fixed URIs of shopify.app.toml, and each action answers with its own Response; Remix would
 * rank and match its whole route tree for every delivery (~8% of a delivery's CPU). Anything
 * else (other methods, paths that are no webhook route) goes through Remix as usual.
 *
 * The body is read here, capped, for every path that reaches a webhook action, not only the
 * exact URIs: Remix matches case-insensitively, ignores trailing slashes and decodes %-escapes,
 * so `/Webhooks/Orders/Paid/` reaches the same action and must not read an unbounded body.
 */
function webhookHandler(build) {
  const webhookRoutes = Object.values(build.routes).filter((route) => route.path?.startsWith("webhooks/") && route.module.action);
  const actions = new Map(webhookRoutes.map((route) => [`/${route.path}`, route.module.action]));
  const actionsById = new Map(webhookRoutes.map((route) => [route.id, route.module.action]));
  const routeTree = (parentId) =>
    Object.values(build.routes)
      .filter((route) => route.parentId === parentId)
      .map((route) => ({ ...route, children: routeTree(route.id) }));
  const routes = routeTree(undefined);
  // Not an exact URI: match as Remix does (its own matcher), on the URL its Express adapter builds.
  const actionFor = (req) => {
    const exact = actions.get(req.path);
    if (exact) return exact;
    let pathname;
    try {
      pathname = new URL(`${req.protocol}://${req.hostname}${req.originalUrl}`).pathname;
    } catch {
      return undefined; // Remix's adapter cannot build this URL either.
    }
    const leaf = matchRoutes(routes, pathname, build.basename)?.at(-1)?.route;
    return leaf && actionsById.get(leaf.id);
  };
  // An error answer is never stored by a cache, as the app's own (errorAnswer) are not.
  const fail = (res, status, code, message) => res.status(status).set("cache-control", "no-store").json({ error: { code, message } });
  return async (req, res, next) => {
    const action = actionFor(req);
    if (!action) return next();
    if (Number(req.headers["content-length"] ?? 0) > MAX_WEBHOOK_BYTES) {
      return fail(res, 413, "payload_too_large", "The webhook body is too large.");
    }
    try {
      const chunks = [];
      let size = 0;
      for await (const chunk of req) {
        size += chunk.length;
        // A body without Content-Length that outgrows the limit: drop the connection.
        if (size > MAX_WEBHOOK_BYTES) return void req.destroy();
        chunks.push(chunk);
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined) headers.append(name, one);
      }
      const url = new URL(req.originalUrl, `${req.protocol}://${req.get("host") ?? "localhost"}`);
      const request = new Request(url, { method: "POST", headers, body: Buffer.concat(chunks) });
      let response;
      try {
        response = await action({ request, params: {}, context: {} });
      } catch (thrown) {
        if (!(thrown instanceof Response)) throw thrown;
        response = thrown;
      }
      res.status(response.status);
      response.headers.forEach((value, name) => res.append(name, value));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      // The actions answer their own failures; this is the server's (a broken connection, say).
      console.error("webhook request failed", error);
      if (!res.headersSent) fail(res, 500, "processing_failed", "The webhook could not be processed; please retry.");
      else res.destroy();
    }
  };
}

/**
 * Storefront requests through the app proxy (`/proxy/customer`, `/proxy/program`, `/proxy/redeem`,
 * …) go straight to their route's loader or action, before Express. A signed-in shopper's page
 * views arrive here at the rate of a shop's traffic; Express's middleware (a static-file lookup
 * on disk for every path, the compression wrapper) and Remix's route ranking cost several times
 * what the read itself does. Each endpoint answers JSON of a few hundred bytes (Shopify's proxy
 * compresses for the shopper), so nothing is lost by skipping them. Only the exact paths of
 * `proxy.*` route modules are taken; anything else (other spellings included) goes through
 * Express and Remix as before, to the same modules.
 * Returns false when the request is not one of them.
 */
function proxyHandler(build) {
  const routes = new Map();
  for (const route of Object.values(build.routes)) {
    if (!route.path?.startsWith("proxy/") || route.path.includes(":") || route.path.includes("*")) continue;
    routes.set(`/${route.path}`, route.module);
  }
  const { storefrontReads, storefrontWrites } = build.entry.module;
  return (req, res) => {
    const queryAt = req.url.indexOf("?");
    const path = queryAt === -1 ? req.url : req.url.slice(0, queryAt);
    const route = routes.get(path);
    if (!route) return false;
    const reading = req.method === "GET" || req.method === "HEAD";
    const read = reading ? storefrontReads.get(path) : undefined;
    const write = req.method === "POST" ? storefrontWrites.get(path) : undefined;
    const handler = reading ? route.loader : route.action;
    if (!read && !write && !handler) return false;
    const search = queryAt === -1 ? "" : req.url.slice(queryAt);
    const answered = read
      ? writePlainAnswer(() => read(search, req.headers["if-none-match"] ?? null), req, res)
      : write
        ? writePlainAnswer(() => write(search, path, (maxBytes) => bodyText(req, res, maxBytes)), req, res)
        : answerWith(handler, req, res);
    answered.catch((error) => {
      console.error("app proxy request failed", error);
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
        res.end(JSON.stringify({ error: { code: "internal_error", message: "Something went wrong; please try again." } }));
      } else res.destroy();
    });
    return true;
  };
}

/**
 * The storefront's reads and its redeem answer plain objects (app/shopify/storefront-reads.server.ts,
 * storefront-writes.server.ts): written as they are.
 */
async function writePlainAnswer(answering, req, res) {
  const answer = await answering();
  const headers = answer.body === null ? answer.headers : { ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)) };
  res.writeHead(answer.status, headers);
  res.end(req.method === "HEAD" ? undefined : (answer.body ?? undefined));
}

/**
 * A refusal sent before the request's body has all arrived (a 413 that reads no further) must
 * not leave the rest of the body on the connection, where it would be parsed as the next request
 * and that request never answered. Once the answer is sent, the rest is read and dropped, as Node
 * does for a body nobody began to read (Remix's request stream began, and paused when full); a
 * body whose stream was destroyed cannot be read on, so its connection closes after the answer.
 */
function dropBodyLeftUnread(req, res) {
  // Most requests (every storefront read) have no body: nothing to watch, and no per-request cost.
  const length = req.headers["content-length"];
  if (length === undefined ? req.headers["transfer-encoding"] === undefined : length === "0") return;
  const writeHead = res.writeHead;
  res.writeHead = function (...args) {
    if (!req.complete && req.destroyed && !res.headersSent) res.setHeader("connection", "close");
    return writeHead.apply(this, args);
  };
  res.once("finish", () => {
    if (req.complete || req.destroyed) return;
    // Whoever was reading is done with the request; its listener would pause the stream again.
    req.removeAllListeners("data");
    req.resume();
  });
}

/**
 * The request's body as text (UTF-8, a leading BOM dropped, as request.text() reads it), or null
 * once it is over `maxBytes`. A declared length over it is not read before the answer, and the
 * rest is dropped after it (dropBodyLeftUnread): closing at once would cut off a client still
 * sending, before it reads the 413. A body of no declared length is read no further than the
 * limit, and its connection closes once the answer is sent.
 */
function bodyText(req, res, maxBytes) {
  const tooLong = () => {
    res.setHeader("connection", "close");
    return null;
  };
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const onData = (chunk) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData);
      req.pause();
      resolve(tooLong());
    };
    req.on("data", onData);
    req.on("end", () => resolve(size > maxBytes ? null : new TextDecoder().decode(Buffer.concat(chunks, size))));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("the request was cut off before its body arrived"));
    });
  });
}

async function answerWith(handler, req, res) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const controller = new AbortController();
  // The shopper went away before the answer: let the route stop early (an abort after the answer
  // was sent would only cost an exception object).
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
    method: req.method,
    headers,
    signal: controller.signal,
    // The route reads (and caps) the body itself, as it does behind Express.
    ...(hasBody ? { body: Readable.toWeb(req), duplex: "half" } : {}),
  });
  let response;
  try {
    response = await handler({ request, params: {}, context: {} });
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  const outgoing = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") outgoing[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) outgoing["set-cookie"] = cookies;
  const body = req.method === "HEAD" || response.body === null ? null : Buffer.from(await response.arrayBuffer());
  if (body !== null) outgoing["content-length"] = String(body.length);
  res.writeHead(response.status, outgoing);
  res.end(body ?? undefined);
}
