// Talking to Tally from a UI extension: Shopify's session token as a bearer token on every
// request (the app reads the shop and the customer from it, never from what is sent).

/** The app's URL: shopify.app.toml's application_url (test/extensions/config.test.ts keeps them equal). */
export const APP_URL = "https://tally.example.com";

export interface SessionTokenApi {
  sessionToken: { get(): Promise<string> };
}

/** A refusal from Tally (its error code), or "network" when no answer came. */
export class TallyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly retryAfter = 0,
  ) {
    super(code);
  }
}

export async function tally<T>(api: SessionTokenApi, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    const token = await api.sessionToken.get();
    response = await fetch(APP_URL + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new TallyError(0, "network");
  }
  const json = await response.json().catch(() => null);
  if (!response.ok || !json) throw new TallyError(response.status, json?.error?.code ?? "network", Number(response.headers.get("Retry-After")) || 0);
  return json as T;
}

/** The numeric id at the end of a Shopify gid ("gid://shopify/Order/123" → "123"), or null. */
export const numericId = (gid: string | undefined | null) => /\/(\d{1,19})$/.exec(gid ?? "")?.[1] ?? null;
