// The fetch Shopify's library calls the Admin API with. Admin GraphQL calls go over node:https
// (./admin-graphql-transport.server.ts); anything else (OAuth, token exchange) through Node's
// fetch. Either way a failure to connect says so: Shopify's GraphQL client keeps only an error's
// message, and whether a request ever left this machine decides whether a mutation may have
// happened (a refused connection: certainly not; a timeout after sending: unknown, to be looked up).
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { CONNECT_TIMEOUT_CODE, isAdminGraphqlCall, postAdminGraphql } from "./admin-graphql-transport.server";

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
  CONNECT_TIMEOUT_CODE,
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

type CodedError = { code?: unknown; errors?: { code?: unknown }[] } | null | undefined;

// Node names the failure in `code`; with several addresses tried (happy eyeballs), in the first
// attempt's. Fetch wraps it as its `cause`.
function codeOf(error: CodedError): string | null {
  const code = error?.code ?? error?.errors?.[0]?.code;
  return typeof code === "string" ? code : null;
}

function markedIfNotSent(error: unknown, code: string | null): unknown {
  if (code === null || !NOT_SENT_CODES.has(code)) return error;
  return new TypeError(`${(error as Error).message} (${code}) ${NOT_SENT_MARK}`, { cause: error });
}

/** Sends one call of Shopify's library, naming unsent failures. */
export async function adminFetch(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : null;
  if (url !== null && isAdminGraphqlCall(url, init)) {
    try {
      return await postAdminGraphql(url, init!);
    } catch (error) {
      throw markedIfNotSent(error, codeOf(error as CodedError));
    }
  }
  try {
    // Looked up at each call, so that a test's interception applies.
    return await globalThis.fetch(input, init);
  } catch (error) {
    throw markedIfNotSent(error, codeOf((error as { cause?: CodedError } | null)?.cause));
  }
}

export function installAdminFetch(): void {
  setAbstractFetchFunc(adminFetch as typeof fetch);
}
