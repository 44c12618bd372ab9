// The fetch Shopify's library calls the Admin API with. Admin GraphQL calls go over node:https
// (./admin-graphql-transport.server.ts); anything else (OAuth, token exchange) through Node's
// fetch. Either way a failure to connect says so: Shopify's GraphQL client keeps only an error's
// message, and whether a request ever left this machine decides whether a mutation may have
// happened (a refused connection: certainly not; a timeout after sending: unknown, to be looked up).
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { CONNECT_TIMEOUT_CODE, failedBeforeSending, isAdminGraphqlCall, postAdminGraphql } from "./admin-graphql-transport.server";

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

type CodedError = { code?: unknown; message?: unknown; errors?: { code?: unknown; message?: unknown }[] } | null | undefined;

// Node names the failure in `code`. With several addresses tried (happy eyeballs) every attempt
// failed to connect: the combined error carries the first attempt's code, and an attempt that
// timed out (ETIMEDOUT) did not connect either. Fetch wraps the error as its `cause`.
function notSentCode(error: CodedError): string | null {
  const attempts = error?.errors ?? [];
  if (attempts.length > 0) {
    const codes = attempts.map((attempt) => attempt?.code);
    const connectFailures = codes.filter((code): code is string => typeof code === "string" && (NOT_SENT_CODES.has(code) || code === "ETIMEDOUT"));
    return connectFailures.length === codes.length ? connectFailures.find((code) => code !== "ETIMEDOUT") ?? connectFailures[0] : null;
  }
  const code = error?.code;
  return typeof code === "string" && NOT_SENT_CODES.has(code) ? code : null;
}

// The combined error of several attempts has no message of its own: its attempts' are used.
function messageOf(error: CodedError): string {
  if (typeof error?.message === "string" && error.message !== "") return error.message;
  const attempts = (error?.errors ?? []).map((attempt) => attempt?.message).filter((message): message is string => typeof message === "string" && message !== "");
  return attempts.length > 0 ? attempts.join("; ") : String(error);
}

function markedNotSent(error: unknown, code: string | null): TypeError {
  return new TypeError(`${messageOf(error as CodedError)}${code ? ` (${code})` : ""} ${NOT_SENT_MARK}`, { cause: error });
}

/** Sends one call of Shopify's library, naming unsent failures. */
export async function adminFetch(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : null;
  if (url !== null && isAdminGraphqlCall(url, init)) {
    try {
      return await postAdminGraphql(url, init!);
    } catch (error) {
      const code = notSentCode(error as CodedError);
      // A call whose connection never came up was not sent, whatever the code (a TLS failure, a reset during the handshake…).
      throw code !== null || failedBeforeSending(error) ? markedNotSent(error, code ?? codeOf(error as CodedError)) : error;
    }
  }
  try {
    // Looked up at each call, so that a test's interception applies.
    return await globalThis.fetch(input, init);
  } catch (error) {
    const cause = (error as { cause?: CodedError } | null)?.cause;
    const code = notSentCode(cause);
    throw code !== null ? markedNotSent(error, code) : error;
  }
}

function codeOf(error: CodedError): string | null {
  return typeof error?.code === "string" ? error.code : null;
}

export function installAdminFetch(): void {
  setAbstractFetchFunc(adminFetch as typeof fetch);
}
