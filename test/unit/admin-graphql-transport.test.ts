// The Admin GraphQL calls' own transport (node:https): what Shopify's GraphQL client gets back,
// and whether a failed call may have reached Shopify (which decides whether a redemption's points
// can come back at once or must be looked up first).
import https from "node:https";
import { connect, createServer, Socket, type Server } from "node:net";
import { gzipSync } from "node:zlib";
import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { adminFetch, NOT_SENT_MARK } from "~/shopify/admin-fetch.server";
import { CONNECT_TIMEOUT_MS, isAdminGraphqlCall } from "~/shopify/admin-graphql-transport.server";

const URL_OF_SHOP = "https://transport-shop.myshopify.com/admin/api/2026-10/graphql.json";
const CALL = JSON.stringify({ query: "mutation discountCodeBasicCreate { x }", variables: { code: "TALLY-1" } });
const post = (init: Partial<RequestInit> = {}): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": "shpat_test" },
  body: CALL,
  ...init,
});

const seen: { method: string; headers: Headers; body: string }[] = [];
const shopify = setupServer(
  http.post(URL_OF_SHOP, async ({ request }) => {
    seen.push({ method: request.method, headers: request.headers, body: await request.text() });
    return HttpResponse.json({ data: { ok: true } }, { headers: { "X-Request-Id": "abc", "Set-Cookie": "a=1" } });
  }),
);

beforeAll(() => shopify.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  shopify.resetHandlers();
  seen.length = 0;
  vi.useRealTimers();
});
afterAll(() => shopify.close());

/** A TCP server on this machine that does `onConnection` with each connection (no TLS). */
async function tcpServer(onConnection: (socket: Socket) => void): Promise<{ url: string; server: Server }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `https://127.0.0.1:${port}/admin/api/2026-10/graphql.json`, server };
}

/** Lets I/O callbacks run (setImmediate is not among the faked timers). */
async function ioUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(done()).toBe(true);
}

/** Runs `work` with msw's interception off: real connections, put back afterwards. */
async function withoutStandIn(work: () => Promise<void>): Promise<void> {
  shopify.close();
  try {
    await work();
  } finally {
    shopify.listen({ onUnhandledRequest: "error" });
  }
}

/** What a call to `url` fails with. */
async function failureOf(url: string): Promise<Error> {
  return (await adminFetch(url, post()).catch((thrown: unknown) => thrown)) as Error;
}

/** A call to `url` still under way a millisecond before the connect timeout, and given up as unsent at it. */
async function expectGivenUpAtConnectTimeout(url: string, connecting: () => Promise<void>): Promise<void> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  let outcome: unknown = "pending";
  const failed = adminFetch(url, post()).catch((thrown: unknown) => (outcome = thrown));
  await connecting();
  await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 1);
  expect(outcome).toBe("pending");
  await vi.advanceTimersByTimeAsync(1);
  await failed;
  expect((outcome as Error).message).toContain(`(TALLY_CONNECT_TIMEOUT) ${NOT_SENT_MARK}`);
}

describe("isAdminGraphqlCall", () => {
  it("takes an Admin GraphQL POST with a text body, and nothing else", () => {
    expect(isAdminGraphqlCall(URL_OF_SHOP, post())).toBe(true);
    expect(isAdminGraphqlCall(URL_OF_SHOP, { method: "GET" })).toBe(false);
    expect(isAdminGraphqlCall(URL_OF_SHOP, undefined)).toBe(false);
    expect(isAdminGraphqlCall(URL_OF_SHOP, post({ body: new URLSearchParams("a=1") }))).toBe(false);
    expect(isAdminGraphqlCall("https://transport-shop.myshopify.com/admin/oauth/access_token", post())).toBe(false);
    expect(isAdminGraphqlCall("http://transport-shop.myshopify.com/admin/api/2026-10/graphql.json", post())).toBe(false);
  });
});

describe("an Admin GraphQL call", () => {
  it("sends the client's headers and body, and answers with Shopify's status, headers and JSON", async () => {
    const response = await adminFetch(URL_OF_SHOP, post());
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("x-request-id")).toBe("abc");
    expect(await response.json()).toEqual({ data: { ok: true } });
    expect(seen).toHaveLength(1);
    expect(seen[0].body).toBe(CALL);
    expect(seen[0].headers.get("x-shopify-access-token")).toBe("shpat_test");
    expect(seen[0].headers.get("content-length")).toBe(String(Buffer.byteLength(CALL)));
  });

  it("answers Shopify's failures as they came (the client decides what they mean)", async () => {
    shopify.use(http.post(URL_OF_SHOP, () => new HttpResponse("Service Unavailable", { status: 503, statusText: "Service Unavailable", headers: { "Retry-After": "2" } })));
    const response = await adminFetch(URL_OF_SHOP, post());
    expect(response.status).toBe(503);
    expect(response.statusText).toBe("Service Unavailable");
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await response.text()).toBe("Service Unavailable");
  });

  it("reads an answer that came compressed although none was asked for", async () => {
    shopify.use(
      http.post(URL_OF_SHOP, () => new HttpResponse(gzipSync(JSON.stringify({ data: { zipped: true } })), { headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" } })),
    );
    const response = await adminFetch(URL_OF_SHOP, post());
    expect(await response.json()).toEqual({ data: { zipped: true } });
    expect(response.headers.get("content-encoding")).toBeNull();
  });

  it("gives up when the caller's signal fires, and does not call it unsent: Shopify may have the request", async () => {
    shopify.use(
      http.post(URL_OF_SHOP, async () => {
        await delay(2_000);
        return HttpResponse.json({ data: {} });
      }),
    );
    const error = (await adminFetch(URL_OF_SHOP, post({ signal: AbortSignal.timeout(50) })).catch((thrown: unknown) => thrown)) as Error;
    expect(error.name).toBe("TimeoutError");
    expect(error.message).not.toContain(NOT_SENT_MARK);
  });

  it("refuses at once a signal already fired", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stopped"));
    await expect(adminFetch(URL_OF_SHOP, post({ signal: controller.signal }))).rejects.toThrow("stopped");
    expect(seen).toHaveLength(0);
  });
});

describe("a call that never reached Shopify", () => {
  it("is marked unsent when the connection is refused", async () => {
    // A real connection, to a port nothing listens on.
    await withoutStandIn(async () => expect((await failureOf("https://127.0.0.1:1/admin/api/2026-10/graphql.json")).message).toContain(`(ECONNREFUSED) ${NOT_SENT_MARK}`));
  });

  it("names the addresses tried when every one refused (localhost: ::1 and 127.0.0.1 where both resolve)", async () => {
    await withoutStandIn(async () =>
      expect((await failureOf("https://localhost:1/admin/api/2026-10/graphql.json")).message).toMatch(
        new RegExp(`^connect ECONNREFUSED .*\\(ECONNREFUSED\\) \\${NOT_SENT_MARK.slice(0, -1)}\\]$`),
      ),
    );
  });

  it("is marked unsent when the connection is not up within the connect timeout", async () => {
    await withoutStandIn(async () => {
      const realRequest = https.request;
      // A connection that never comes up (as to an address that drops every packet).
      const stalled = vi.spyOn(https, "request").mockImplementation(((url: string, options: https.RequestOptions, callback: never) =>
        realRequest(url, { ...options, agent: undefined, createConnection: () => Object.assign(new Socket(), { connecting: true }) }, callback)) as unknown as typeof https.request);
      try {
        await expectGivenUpAtConnectTimeout(URL_OF_SHOP, async () => undefined);
      } finally {
        stalled.mockRestore();
      }
    });
  });

  it("is marked unsent when TLS does not agree within the connect timeout (the TCP connection is up)", async () => {
    await withoutStandIn(async () => {
      const held: Socket[] = [];
      const { url, server } = await tcpServer((socket) => void held.push(socket)); // accepts, never answers TLS
      try {
        await expectGivenUpAtConnectTimeout(url, () => ioUntil(() => held.length === 1));
      } finally {
        for (const socket of held) socket.destroy();
        server.close();
      }
    });
  });

  it("is marked unsent when the connection drops during the TLS handshake, whatever its code", async () => {
    await withoutStandIn(async () => {
      const { url, server } = await tcpServer((socket) => socket.once("data", () => socket.destroy())); // reads the ClientHello, hangs up
      try {
        expect((await failureOf(url)).message).toContain(NOT_SENT_MARK);
      } finally {
        server.close();
      }
    });
  });
});

describe("a call that may have reached Shopify", () => {
  it("is given up, and not marked unsent, when the connection stays silent too long (no signal of its own)", async () => {
    await withoutStandIn(async () => {
      const realRequest = https.request;
      const { server } = await tcpServer(() => undefined); // takes the request, never answers
      const { port } = server.address() as { port: number };
      const silent = vi.spyOn(https, "request").mockImplementation(((url: string, options: https.RequestOptions, callback: never) => {
        const request = realRequest(url, { ...options, agent: undefined, createConnection: () => connect(port, "127.0.0.1") }, callback);
        // The socket's timeout, as Node emits it after ANSWER_SILENCE_TIMEOUT_MS without a byte.
        request.once("socket", (socket) => socket.once("connect", () => setImmediate(() => socket.emit("timeout"))));
        return request;
      }) as unknown as typeof https.request);
      try {
        const error = (await failureOf(URL_OF_SHOP)) as Error & { code?: string };
        expect(error.code).toBe("TALLY_ANSWER_TIMEOUT");
        expect(error.message).not.toContain(NOT_SENT_MARK);
      } finally {
        silent.mockRestore();
        server.close();
      }
    });
  });
});
