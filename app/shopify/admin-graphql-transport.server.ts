// How an Admin GraphQL call travels: one POST over node:https on kept-alive connections, its
// answer read whole and handed to Shopify's GraphQL client as a standard Response. Node's fetch
// (undici and its web streams) cost about a fifth of a server worker's CPU per redeem in
// `bench:redeem`; this costs a fraction of it, and the redeem's p99 fell with it (README,
// "Rewards and redemption"). Other calls of Shopify's library (OAuth, token exchange) keep fetch.
//
// `https.request` is looked up at each call, so that whatever intercepts Node's HTTP client (msw
// in tests, the Admin API stand-in of the demo and benchmarks) sees these calls.
import https from "node:https";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import zlib from "node:zlib";

/** An idle connection is closed after this long (or sooner, when Shopify's Keep-Alive hint says so). */
const IDLE_MS = 4_000;
/** A connection not up within this long is given up: the request was certainly not sent. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** The code of the error a connection not up in time fails with. */
export const CONNECT_TIMEOUT_CODE = "TALLY_CONNECT_TIMEOUT";

const agent = new https.Agent({ keepAlive: true, timeout: IDLE_MS, scheduling: "lifo" });

// Answers that carry no body (the Response constructor refuses one for them).
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Whether a fetch of Shopify's library is an Admin GraphQL call this transport carries. */
export function isAdminGraphqlCall(url: string, init: RequestInit | undefined): boolean {
  return (
    init?.method === "POST" &&
    typeof init.body === "string" &&
    url.startsWith("https://") &&
    /^https:\/\/[^/]+\/admin\/api\/[^/]+\/graphql\.json$/.test(url)
  );
}

/**
 * Sends the call and resolves to Shopify's answer; rejects with the client's error (its `code`
 * kept) when the call failed, or with the signal's reason when it was aborted.
 */
export function postAdminGraphql(url: string, init: RequestInit): Promise<Response> {
  const body = init.body as string;
  const headers: Record<string, string> = { ...plainHeaders(init.headers), "content-length": String(Buffer.byteLength(body)) };
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(signal?.aborted ? signal.reason : error);
    };
    // timeout 0: an answer may take as long as the caller's signal allows; the agent's idle
    // timeout applies to connections between calls.
    const request = https.request(url, { method: "POST", headers, agent, signal, timeout: 0 }, (response) => {
      readWhole(response).then((bytes) => {
        if (settled) return;
        const answer = responseOf(response, bytes);
        settled = true;
        resolve(answer);
      }).catch(fail);
    });
    request.on("error", fail);
    request.on("socket", (socket) => limitConnectTime(request, socket));
    request.end(body);
  });
}

function plainHeaders(headers: HeadersInit | null | undefined): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

function limitConnectTime(request: ClientRequest, socket: Socket): void {
  if (!socket.connecting) return;
  const timer = setTimeout(() => {
    request.destroy(Object.assign(new Error(`connect timed out after ${CONNECT_TIMEOUT_MS} ms`), { code: CONNECT_TIMEOUT_CODE }));
  }, CONNECT_TIMEOUT_MS);
  const stop = () => clearTimeout(timer);
  socket.once("connect", stop);
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
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const status = response.statusCode ?? 502;
  const body = NULL_BODY_STATUSES.has(status) ? null : viewOf(decoded(bytes, headers));
  // The body is decoded here: the encoding no longer describes it.
  headers.delete("content-encoding");
  headers.delete("content-length");
  return new Response(body, { status, statusText: response.statusMessage ?? "", headers });
}

// A view of the bytes, as the Response constructor's types want (no copy: Node's buffers here
// sit on plain ArrayBuffers).
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
