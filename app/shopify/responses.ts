// JSON answers with an explicit charset. (Not Response.json: it is missing where Remix installs
// its fetch polyfills, as `installGlobals()` without nativeFetch does.)
export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { ...init, headers });
}

/** Errors are JSON { error: { code, message } } with the right status (DESIGN §5). */
export function errorResponse(status: number, code: string, message: string, headers?: HeadersInit): Response {
  return jsonResponse({ error: { code, message } }, { status, headers });
}
