// The fetch Shopify's library calls the Admin API with. It is Node's fetch, except that a
// failure to connect says so: Shopify's GraphQL client keeps only an error's message, and
// whether a request ever left this machine decides whether a mutation may have happened (a
// refused connection: certainly not; a timeout after sending: unknown, to be looked up).
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

/** Marks the message of an error raised before the request was sent. */
export const NOT_SENT_MARK = "[request not sent]";

// Failures to resolve, connect or agree on TLS: nothing of the request reached Shopify.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function causeCode(error: unknown): string | null {
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | null)?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === "string" ? code : null;
}

/** Node's fetch (looked up at each call, so a test's interception applies), naming unsent failures. */
export async function adminFetch(...args: Parameters<typeof fetch>): Promise<Response> {
  try {
    return await globalThis.fetch(...args);
  } catch (error) {
    const code = causeCode(error);
    if (code !== null && NOT_SENT_CODES.has(code)) {
      throw new TypeError(`${(error as Error).message} (${code}) ${NOT_SENT_MARK}`, { cause: error });
    }
    throw error;
  }
}

export function installAdminFetch(): void {
  setAbstractFetchFunc(adminFetch as typeof fetch);
}
