// How an Admin GraphQL call travels: one POST over node:https on kept-alive connections, its
// answer read whole and handed to Shopify's GraphQL client as a standard Response. Node's fetch
// (undici and its web streams) cost about a fifth of a server worker's CPU per redeem in
// `bench:redeem`; this costs a fraction of it, and the redeem's p99 fell with it (README,
// "Architecture"). Other calls of Shopify's library (OAuth, token exchange) keep fetch.
//
// `https.request` is looked up at each call, so that whatever intercepts Node's HTTP client (msw
// in tests, the Admin API stand-in of the demo and benchmarks) sees these calls.
import https from "node:https";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import zlib from "node:zlib";

/** An idle connection is closed after this long (or sooner, when Shopify's Keep-Alive hint says so). */
const IDLE_MS = 4_000;
/** A connection not up (TCP and TLS) within this long is given up: the request was certainly not sent. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** The code of the error a connection not up in time fails with. */
export const CONNECT_TIMEOUT_CODE = "TALLY_CONNECT_TIMEOUT";
/**
 * A call whose connection stays silent this long is given up (undici's headers and body
 * timeouts), so that a call without a deadline of its own cannot wait forever. The request was
 * sent: the outcome is unknown.
 */
export const ANSWER_SILENCE_TIMEOUT_MS = 300_000;
export const ANSWER_SILENCE_TIMEOUT_CODE = "TALLY_ANSWER_TIMEOUT";

const agent = new https.Agent({ keepAlive: true, timeout: IDLE_MS, scheduling: "lifo" });

// Answers that carry no body (the Response constructor refuses one for them).
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** Errors of calls that failed before their connection was up: nothing of them reached Shopify. */
const failedUnsent = new WeakSet<object>();

/** Whether the call failed before any of it could reach Shopify (its connection never came up). */
export function failedBeforeSending(error: unknown): boolean {
  return typeof error === "object" && error !== null && failedUnsent.has(error);
}

/** The Admin GraphQL endpoint of a shop, any API version. */
export const ADMIN_GRAPHQL_URL = /^https:\/\/[^/]+\/admin\/api\/[^/]+\/graphql\.json$/;

/** Whether a fetch of Shopify's library is an Admin GraphQL call this transport carries. */
export function isAdminGraphqlCall(url: string, init: RequestInit | undefined): boolean {
  return init?.method === "POST" && typeof init.body === "string" && ADMIN_GRAPHQL_URL.test(url);
}

/**
 * Sends the call and resolves to Shopify's answer; rejects with the client's error (its `code`
 * kept; `failedBeforeSending` tells whether it came before the connection was up) when the call
 * failed, or with the signal's reason when it was aborted.
 */
export function postAdminGraphql(url: string, init: RequestInit): Promise<Response> {
  const body = init.body as string;
  const headers: Record<string, string> = { ...plainHeaders(init.headers), "content-length": String(Buffer.byteLength(body)) };
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    let connected = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      if (signal?.aborted) return reject(signal.reason);
      if (!connected && typeof error === "object" && error !== null) failedUnsent.add(error);
      reject(error);
    };
    // The socket's timeout while the call is under way: silence this long ends it (the agent's
    // idle timeout applies to connections between calls).
    const request = https.request(url, { method: "POST", headers, agent, signal, timeout: ANSWER_SILENCE_TIMEOUT_MS }, (response) => {
      connected = true;
      readWhole(response)
        .then((bytes) => {
          if (settled) return;
          const answer = responseOf(response, bytes);
          settled = true;
          resolve(answer);
        })
        .catch(fail);
    });
    request.on("error", fail);
    request.on("timeout", () => {
      request.destroy(Object.assign(new Error(`no answer from Shopify for ${ANSWER_SILENCE_TIMEOUT_MS} ms`), { code: ANSWER_SILENCE_TIMEOUT_CODE }));
    });
    request.on("socket", (socket) => {
      if (!socket.connecting) connected = true; // a kept-alive connection
      else whenConnected(request, socket, () => (connected = true));
    });
    request.end(body);
  });
}

function plainHeaders(headers: HeadersInit | null | undefined): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

// A new connection is up once TLS has agreed (nothing of the request is written before); one
// not up within CONNECT_TIMEOUT_MS is given up.
function whenConnected(request: ClientRequest, socket: Socket, connected: () => void): void {
  const timer = setTimeout(() => {
    request.destroy(Object.assign(new Error(`no connection to Shopify within ${CONNECT_TIMEOUT_MS} ms`), { code: CONNECT_TIMEOUT_CODE }));
  }, CONNECT_TIMEOUT_MS);
  const stop = () => clearTimeout(timer);
  socket.once((socket as Socket & { encrypted?: boolean }).encrypted ? "secureConnect" : "connect", () => {
    stop();
    connected();
  });
  socket.once("close", stop);
  request.once("close", stop);
}

function readWhole(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.once("end", () => resolve(Buffer.concat(chunks)));
    response.once("error", reject);
    // Closed before its end: the connection dropped mid-answer (a rejection after `end` is a no-op).
    response.once("close", () => {
      if (!response.complete) reject(Object.assign(new Error("the connection closed before the answer ended"), { code: "ECONNRESET" }));
    });
  });
}

function responseOf(response: IncomingMessage, bytes: Buffer): Response {
  const headers = new Headers();
  // Every value as sent (response.headers keeps only the first of a repeated single-value header).
  for (const [name, values] of Object.entries(response.headersDistinct)) {
    for (const value of values ?? []) headers.append(name, value);
  }
  const status = response.statusCode ?? 502;
  const body = NULL_BODY_STATUSES.has(status) ? null : viewOf(decoded(bytes, headers));
  // The body is decoded here: the encoding no longer describes it.
  headers.delete("content-encoding");
  headers.delete("content-length");
  return new Response(body, { status, statusText: response.statusMessage ?? "", headers });
}

// The bytes as the Response constructor's types want them (a view; the constructor copies them).
function viewOf(bytes: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

// Nothing asks for a compressed answer, but one that comes compressed anyway is read as fetch would.
function decoded(bytes: Buffer, headers: Headers): Buffer {
  switch (headers.get("content-encoding")?.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return zlib.gunzipSync(bytes);
    case "deflate":
      return zlib.inflateSync(bytes);
    case "br":
      return zlib.brotliDecompressSync(bytes);
    default:
      return bytes;
  }
}
