// JSON answers with an explicit charset. (Not Response.json: it is missing where Remix installs
// its fetch polyfills, as `installGlobals()` without nativeFetch does.)
export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { ...init, headers });
}

/** Errors are JSON { error: { code, message } } with the right status (DESIGN §5). */
export function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return responseOf(errorAnswer(status, code, message, headers));
}

/**
 * An answer before it is a Response: the storefront's reads build these, so that server.js can
 * write them to the socket as they are (no Request, Headers or Response objects on the path a
 * shop's page views take), and their Remix routes turn them into Responses (responseOf).
 */
export interface PlainAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** null: no body (a 304). */
  body: string | null;
}

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): PlainAnswer {
  return jsonTextAnswer(status, JSON.stringify(body), headers);
}

/** An answer whose JSON text is already made. */
export function jsonTextAnswer(status: number, json: string, headers: Record<string, string> = {}): PlainAnswer {
  return { status, headers: { ...headers, "content-type": "application/json; charset=utf-8" }, body: json };
}

/** Never stored by a cache on the way (Shopify's proxy, a CDN): a refusal is about this request only. */
export function errorAnswer(status: number, code: string, message: string, headers: Record<string, string> = {}): PlainAnswer {
  return jsonAnswer(status, { error: { code, message } }, { "cache-control": "no-store", ...headers });
}

export function responseOf(answer: PlainAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
