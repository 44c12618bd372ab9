// The production build (`npm run build`, `npm start`) driven over HTTP as Shopify and a
// storefront drive it: signed webhooks to the URIs in shopify.app.toml, signed proxy requests.
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyPath, storefrontProxyPrefix, webhookUri } from "../../dev/simulator/app-config";
import { startApp, type RunningApp } from "../../dev/simulator/app-server";
import { createTestDatabase, type Provider, type TestDatabase } from "../../dev/simulator/databases";
import { orderPayload, refundPayload } from "../../dev/simulator/shopify-payloads";
import { signedProxyQuery, signedWebhookRequest, webhookHeaders } from "../../dev/simulator/shopify-signing";

const API_KEY = "e2e-key";
const API_SECRET = "e2e-secret";
const SHOP = "e2e-shop.myshopify.com";

describe.each<Provider>(["sqlite", "postgres"])("production build on %s", (provider) => {
  let database: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    database = await createTestDatabase(provider);
    app = await startApp({ databaseUrl: database.url, apiKey: API_KEY, apiSecret: API_SECRET });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  const send = (topic: string, payload: unknown) =>
    fetch(signedWebhookRequest(app.baseUrl, webhookUri(topic), topic, payload, { shop: SHOP, secret: API_SECRET }));
  const customer = async (customerId: number | null) => {
    const query = signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId, secret: API_SECRET });
    return fetch(`${app.baseUrl}${proxyPath("customer")}?${query}`);
  };

  it("credits a paid order, takes back a refund, and serves the balance through the proxy", async () => {
    const order = orderPayload({ id: 4_400_001, customer: { id: 4_500_001 }, lines: [{ price: "80.00" }, { price: "20.00" }] });
    expect((await send("orders/paid", order)).status).toBe(200);
    expect((await send("orders/paid", order)).status).toBe(200);
    const refund = refundPayload({ id: 4_400_101, orderId: 4_400_001, lines: [{ line: 1, quantity: 1, subtotal: "20.00" }] });
    expect((await send("refunds/create", refund)).status).toBe(200);

    const response = await customer(4_500_001);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect((await response.json()).member.balance).toBe(80);
  });

  it("refuses forged webhooks and unsigned proxy requests", async () => {
    const body = JSON.stringify(orderPayload({ id: 4_400_002, customer: { id: 4_500_002 }, lines: [{ price: "10.00" }] }));
    const forged = signedWebhookRequest(app.baseUrl, webhookUri("orders/paid"), "orders/paid", null, { shop: SHOP, secret: "wrong", rawBody: body });
    expect((await fetch(forged)).status).toBe(401);
    expect((await fetch(`${app.baseUrl}${proxyPath("customer")}?shop=${SHOP}&logged_in_customer_id=4500001`)).status).toBe(401);
    expect((await customer(null)).status).toBe(200);
  });

  it("answers the storefront API's other paths and methods in JSON", async () => {
    const query = signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId: 4_500_001, secret: API_SECRET });
    const post = await fetch(`${app.baseUrl}${proxyPath("customer")}?${query}`, { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect((await post.json()).error.code).toBe("method_not_allowed");
    const unknown = await fetch(`${app.baseUrl}${proxyPath("nothing-here")}?${query}`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("not_found");
  });

  // server.js hands the exact proxy paths to their route's loader or action before Express; other
  // spellings of the same paths go through Express and Remix to the same modules.
  it("answers proxy requests before Express exactly as through Remix", async () => {
    const query = () => signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId: 4_500_001, secret: API_SECRET });
    const direct = await fetch(`${app.baseUrl}${proxyPath("customer")}?${query()}`);
    const throughRemix = await fetch(`${app.baseUrl}${proxyPath("customer").toUpperCase()}/?${query()}`);
    expect(direct.status).toBe(200);
    expect(throughRemix.status).toBe(200);
    expect(direct.headers.get("content-type")).toBe(throughRemix.headers.get("content-type"));
    expect(direct.headers.get("cache-control")).toBe("private, no-store");
    expect(await direct.json()).toEqual(await throughRemix.json());

    const stale = signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId: 4_500_001, secret: API_SECRET, timestamp: Math.floor(Date.now() / 1000) - 600 });
    const refused = await fetch(`${app.baseUrl}${proxyPath("customer")}?${stale}`);
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe("invalid_signature");
    const forged = signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId: 4_500_001, secret: "not-the-secret" });
    expect((await fetch(`${app.baseUrl}${proxyPath("customer")}?${forged}`)).status).toBe(401);

    const program = await fetch(`${app.baseUrl}${proxyPath("program")}?${query()}`);
    const etag = program.headers.get("etag")!;
    expect(etag).toMatch(/^"/);
    const head = await fetch(`${app.baseUrl}${proxyPath("program")}?${query()}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(etag);
    expect(await head.text()).toBe("");
    const revalidated = await fetch(`${app.baseUrl}${proxyPath("program")}?${query()}`, { headers: { "If-None-Match": etag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("etag")).toBe(etag);
    const programThroughRemix = await fetch(`${app.baseUrl}${proxyPath("program").toUpperCase()}/?${query()}`);
    expect(programThroughRemix.headers.get("etag")).toBe(etag);
    expect(programThroughRemix.headers.get("cache-control")).toBe(program.headers.get("cache-control"));
    expect(await programThroughRemix.json()).toEqual(await program.json());
    expect((await fetch(`${app.baseUrl}${proxyPath("program").toUpperCase()}/?${query()}`, { headers: { "If-None-Match": `W/${etag}` } })).status).toBe(304);
    expect((await fetch(`${app.baseUrl}${proxyPath("program")}?${query()}`, { headers: { "If-None-Match": "*" } })).status).toBe(304);
    const unsigned = await fetch(`${app.baseUrl}${proxyPath("program")}`);
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get("content-type")).toMatch(/^application\/json/);
    // A refusal is about this request: no cache on the way keeps it.
    expect(unsigned.headers.get("cache-control")).toBe("no-store");
    expect((await unsigned.json()).error.code).toBe("missing_signature");

    // A POST's body reaches the action as a stream: malformed JSON is the route's own 400.
    const malformed = await fetch(`${app.baseUrl}${proxyPath("redeem")}?${query()}`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"rewardId":' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe("invalid_json");
    const unknownReward = await fetch(`${app.baseUrl}${proxyPath("redeem")}?${query()}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ rewardId: 999_999 }) });
    expect(unknownReward.status).toBe(404);
  });

  // A redeem's exact path is served by server.js itself (the body read from the socket, the answer
  // written as it is); every refusal must be what the Remix route answers.
  it("answers a redeem's refusals before Express exactly as through Remix", async () => {
    const signed = (customerId: number | null, secret = API_SECRET) => String(signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId, secret }));
    const post = async (query: string, body: string) => {
      const answers = [];
      for (const path of [proxyPath("redeem"), `${proxyPath("redeem").toUpperCase()}/`]) {
        const response = await fetch(`${app.baseUrl}${path}?${query}`, { method: "POST", headers: { "content-type": "application/json" }, body });
        answers.push({ status: response.status, type: response.headers.get("content-type"), body: await response.json() });
      }
      expect(answers[0]).toEqual(answers[1]);
      return { status: answers[0].status, code: answers[0].body.error?.code };
    };
    const overCap = "x".repeat(16 * 1024 + 1);

    expect(await post(signed(4_500_001, "not-the-secret"), JSON.stringify({ rewardId: 1 }))).toEqual({ status: 401, code: "invalid_signature" });
    expect(await post(signed(null), JSON.stringify({ rewardId: 1 }))).toEqual({ status: 400, code: "not_signed_in" });
    expect(await post(signed(4_500_001), overCap)).toEqual({ status: 413, code: "body_too_large" });
    // A body of no declared length is read up to the cap and no further, and still answered (Remix's
    // route may close the connection without an answer; the webhooks' test below allows that).
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(1024)));
        controller.close();
      },
    });
    const chunked = await fetch(`${app.baseUrl}${proxyPath("redeem")}?${signed(4_500_001)}`, { method: "POST", body: streamed, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    // The rest of such a body is not taken in: the connection closes after the answer.
    expect(chunked.headers.get("connection")).toBe("close");
    expect((await chunked.json()).error.code).toBe("body_too_large");
    expect(await post(signed(4_500_001), '{"rewardId":')).toEqual({ status: 400, code: "invalid_json" });
    expect(await post(signed(4_500_001), JSON.stringify({ rewardId: "1" }))).toEqual({ status: 400, code: "invalid_body" });
    expect(await post(signed(4_500_001), `\uFEFF${JSON.stringify({ rewardId: 999_999 })}`)).toEqual({ status: 404, code: "unknown_reward" });
    const got = await fetch(`${app.baseUrl}${proxyPath("redeem")}?${signed(4_500_001)}`);
    expect(got.status).toBe(405);
    expect(got.headers.get("allow")).toBe("POST");
  });

  // A refusal sent before its body has arrived leaves the rest of the body on the connection; the
  // next request on it (a pooling proxy, such as Shopify's, reuses connections) must be answered.
  it("answers the next request on a connection after refusing a body it did not read", async () => {
    const query = String(signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId: 4_500_001, secret: API_SECRET }));
    for (const endpoint of ["birthday", "referral-offer"]) {
      const body = JSON.stringify({ month: 4, day: 12, pad: "x".repeat(1024 * 1024) });
      const statuses = await new Promise<string[]>((resolve) => {
        const socket = net.connect(app.port, "127.0.0.1");
        let text = "";
        const statusLines = () => text.match(/HTTP\/1\.1 \d{3}/g) ?? [];
        const done = () => {
          resolve(statusLines());
          socket.destroy();
        };
        socket.on("data", (chunk) => {
          text += chunk;
          if (statusLines().length === 2) done();
        });
        socket.on("close", done);
        socket.on("error", () => {});
        socket.write(`POST ${proxyPath(endpoint)}?${query} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
        socket.write(body);
        socket.write(`GET ${proxyPath("customer")}?${query} HTTP/1.1\r\nHost: x\r\n\r\n`);
      });
      expect(statuses, endpoint).toEqual(["HTTP/1.1 413", "HTTP/1.1 200"]);
    }
  });

  // server.js hands webhook POSTs straight to their route's action; everything else is Remix's.
  it("answers webhooks over HTTP as the routes do: bad JSON, other methods, unknown paths, 64-bit ids", async () => {
    const truncated = signedWebhookRequest(app.baseUrl, webhookUri("orders/paid"), "orders/paid", null, { shop: SHOP, secret: API_SECRET, rawBody: '{"id": 1,' });
    const malformed = await fetch(truncated);
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await malformed.json()).error.code).toBe("malformed_json");

    const put = await fetch(`${app.baseUrl}${webhookUri("orders/paid")}`, { method: "PUT", body: "{}" });
    expect(put.status).toBe(405);
    for (const method of ["POST", "GET"]) {
      const unknown = await fetch(`${app.baseUrl}/webhooks/orders/unknown`, { method, body: method === "POST" ? "{}" : undefined });
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).error.code).toBe("not_found");
    }
    // GET, HEAD and OPTIONS reach Remix's loader rather than the action: 405 too.
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      const other = await fetch(`${app.baseUrl}${webhookUri("customers/redact")}`, { method });
      expect(other.status, method).toBe(405);
      expect(other.headers.get("allow")).toBe("POST");
    }
    const huge = await fetch(`${app.baseUrl}${webhookUri("orders/paid")}`, { method: "POST", headers: { "Content-Length": String(11 * 1024 * 1024) }, body: "x".repeat(11 * 1024 * 1024) });
    expect(huge.status).toBe(413);

    // Shopify's sample ids are past 2^53; the JSON carries them digit for digit.
    const order = JSON.stringify(orderPayload({ id: 1, customer: { id: 1 }, lines: [{ price: "30.00" }] }))
      .replace('"id":1,', '"id":820982911946154508,')
      .replace(/"customer":\{"id":1,/, '"customer":{"id":115310627314723954,');
    const sample = signedWebhookRequest(app.baseUrl, webhookUri("orders/paid"), "orders/paid", null, { shop: SHOP, secret: API_SECRET, rawBody: order });
    expect((await fetch(sample)).status).toBe(200);
    const query = signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId: 115_310_627_314_723_954n, secret: API_SECRET });
    const text = await (await fetch(`${app.baseUrl}${proxyPath("customer")}?${query}`)).text();
    expect(text).toContain('"customerId":115310627314723954');
    expect(JSON.parse(text).member.balance).toBe(30);
  });

  // Remix routes these to the webhook actions too (it matches case-insensitively, ignores
  // trailing slashes, decodes %-escapes; the URL resolves dot segments; Remix's Express adapter
  // puts the Host header in front of the path), so server.js must cap their bodies as well.
  const ODD_ROUTES: { name: string; path: string; host?: string }[] = [
    { name: "nothing odd (the URI in shopify.app.toml)", path: "/webhooks/orders/paid" },
    { name: "a trailing slash", path: "/webhooks/orders/paid/" },
    { name: "other letter case", path: "/Webhooks/Orders/Paid" },
    { name: "upper case and slashes", path: "/WEBHOOKS/ORDERS/PAID///" },
    { name: "a %-escape", path: "/webhooks/orders/pai%64" },
    { name: "dot segments", path: "/webhooks/x/../orders/./paid" },
    { name: "a _data query", path: "/webhooks/orders/paid?_data=routes%2Fwebhooks.orders.paid" },
    { name: "the path in the Host header", path: "/somewhere-else", host: "127.0.0.1/webhooks/orders/paid?" },
  ];
  const MiB = 1024 * 1024;

  /**
   * POSTs over a raw connection (fetch would normalise the path and refuses a Host header), then
   * `bytes` of body in 1 MiB chunks, declared in Content-Length or chunked. Resolves with the
   * status, Connection and Cache-Control headers, or "closed" when the server drops the connection before answering.
   */
  function post(route: { path: string; host?: string }, headers: Record<string, string>, body: string | { bytes: number; declared: boolean }) {
    return new Promise<{ status: number; connection?: string; cacheControl?: string } | "closed">((resolve) => {
      const length = typeof body === "string" ? Buffer.byteLength(body) : body.bytes;
      const declared = typeof body === "string" || body.declared;
      const request = http.request({
        hostname: "127.0.0.1",
        port: app.port,
        method: "POST",
        path: route.path,
        headers: { ...headers, ...(route.host ? { Host: route.host } : {}), ...(declared ? { "Content-Length": String(length) } : {}) },
      });
      let settled = false;
      const settle = (result: { status: number; connection?: string; cacheControl?: string } | "closed") => {
        if (settled) return;
        settled = true;
        resolve(result);
        request.destroy();
      };
      request.on("response", (response) => {
        response.resume();
        settle({ status: response.statusCode!, connection: response.headers.connection, cacheControl: response.headers["cache-control"] });
      });
      request.on("error", () => settle("closed"));
      request.on("close", () => settle("closed"));
      if (typeof body === "string") return void request.end(body);
      const chunk = Buffer.alloc(MiB, 0x20);
      let written = 0;
      const writeMore = () => {
        while (written < length && !settled) {
          written += MiB;
          if (!request.write(chunk)) return void request.once("drain", writeMore);
        }
        request.end();
      };
      writeMore();
    });
  }

  it.each(ODD_ROUTES)("takes a delivery to a webhook path with $name", async (route) => {
    const customerId = 4_600_000 + ODD_ROUTES.indexOf(route);
    const body = JSON.stringify(orderPayload({ id: customerId, customer: { id: customerId }, lines: [{ price: "12.00" }] }));
    expect(await post(route, webhookHeaders("orders/paid", body, { shop: SHOP, secret: API_SECRET }), body)).toMatchObject({ status: 200 });
    expect((await (await customer(customerId)).json()).member.balance).toBe(12);
  });

  // With Shopify's headers (signed for an empty body: a server that read the whole body before
  // checking would answer 401), and without them: server.js checks the size before anything, where
  // the action behind Remix would answer 400 for the missing shop header first.
  it.each(ODD_ROUTES)("never reads an oversized body to a webhook path with $name, with or without Content-Length", async (route) => {
    for (const headers of [webhookHeaders("orders/paid", "", { shop: SHOP, secret: API_SECRET }), { "Content-Type": "application/json" }]) {
      expect(await post(route, headers, { bytes: 11 * MiB, declared: true })).toMatchObject({ status: 413, cacheControl: "no-store" });
      const streamed = await post(route, headers, { bytes: 11 * MiB, declared: false });
      if (streamed !== "closed") expect(streamed.status).toBe(413);
    }
  });
});

describe.each<Provider>(["sqlite", "postgres"])("two server workers on %s", (provider) => {
  let database: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    database = await createTestDatabase(provider);
    app = await startApp({ databaseUrl: database.url, apiKey: API_KEY, apiSecret: API_SECRET, env: { WEB_CONCURRENCY: "2" } });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it("answers 200 to concurrent first deliveries from new shops, each credited once", async () => {
    // The race (two workers creating one shop) is won or lost by timing: several new shops.
    for (const [round, shop] of ["a", "b", "c", "d", "e", "f"].map((letter) => `first-${letter}.myshopify.com`).entries()) {
      const deliveries = Array.from({ length: 16 }, (_, i) => {
        const order = i % 8; // each of 8 orders delivered twice
        const payload = orderPayload({ id: 6_600_000 + round * 100 + order, customer: { id: 6_700_000 + (order % 3) }, lines: [{ price: "10.00" }] });
        return fetch(signedWebhookRequest(app.baseUrl, webhookUri("orders/paid"), "orders/paid", payload, { shop, secret: API_SECRET }));
      });
      expect((await Promise.all(deliveries)).map((response) => response.status)).toEqual(Array(16).fill(200));
      // 8 distinct orders of 10.00 over 3 customers: 3 + 3 + 2 orders
      const balances = await Promise.all(
        [0, 1, 2].map(async (i) => {
          const query = signedProxyQuery(storefrontProxyPrefix(), { shop, customerId: 6_700_000 + i, secret: API_SECRET });
          return (await (await fetch(`${app.baseUrl}${proxyPath("customer")}?${query}`)).json()).member.balance;
        }),
      );
      expect(balances).toEqual([30, 30, 20]);
    }
  });
});

// Each worker keeps a member's codes, referral figures and claims while their summaryVersion
// stands (with the shop cache on, as in production): a referral credited after reads in every
// worker shows at once.
describe.each<Provider>(["sqlite", "postgres"])("cached storefront reads on %s", (provider) => {
  let database: TestDatabase;
  let app: RunningApp;
  beforeAll(async () => {
    database = await createTestDatabase(provider);
    app = await startApp({ databaseUrl: database.url, apiKey: API_KEY, apiSecret: API_SECRET, env: { SHOP_CACHE_TTL_MS: "60000", WEB_CONCURRENCY: "2" } });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it("shows a member's referral figures as soon as they change, after cached reads", async () => {
    const send = (payload: unknown) => fetch(signedWebhookRequest(app.baseUrl, webhookUri("orders/paid"), "orders/paid", payload, { shop: SHOP, secret: API_SECRET }));
    const referrer = async () => {
      const query = signedProxyQuery(storefrontProxyPrefix(), { shop: SHOP, customerId: 4_500_301, secret: API_SECRET });
      return (await (await fetch(`${app.baseUrl}${proxyPath("customer")}?${query}`)).json()).member;
    };
    expect((await send(orderPayload({ id: 4_400_301, customer: { id: 4_500_301 }, lines: [{ price: "10.00" }] }))).status).toBe(200);
    const { referralCode } = await referrer();
    for (let i = 0; i < 6; i++) expect((await referrer()).referrals).toEqual({ referred: 0, converted: 0, pointsEarned: 0 });
    const referred = orderPayload({ id: 4_400_302, customer: { id: 4_500_302 }, lines: [{ price: "20.00" }], noteAttributes: { tally_referral: referralCode } });
    expect((await send(referred)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await referrer()).referrals).toEqual({ referred: 1, converted: 1, pointsEarned: 500 });
  });
});
