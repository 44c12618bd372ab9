// One Admin GraphQL call, with what Shopify says about it turned into decisions the caller can
// act on: the answer, how long to wait before the next call (the leaky bucket's throttleStatus),
// or why to stop (throttled, token refused, Shopify failing). Background jobs use it so that a
// shop that is throttled waits, and a shop that uninstalled or revoked its token is left alone
// instead of being retried in a storm.
import { GraphqlQueryError, HttpResponseError, HttpThrottlingError } from "@shopify/shopify-api";
import { NOT_SENT_MARK } from "./admin-fetch.server";
import type { AdminGraphql } from "./admin-graphql";

interface ThrottleStatus {
  maximumAvailable?: number;
  currentlyAvailable?: number;
  restoreRate?: number;
}

interface Cost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

export interface AdminAnswer<Data> {
  data: Data;
  /** Wait this long before the next call of the same cost, so that it is not throttled (0: go on). */
  waitBeforeNextMs: number;
  /** What Shopify charged for the call up front (extensions.cost), when it said. */
  requestedCost?: number | null;
}

export type AdminFailureKind =
  /** The bucket is empty: wait `retryAfterMs`. */
  | "throttled"
  /** 401/403: the shop uninstalled the app or its token was revoked; stop until it installs again. */
  | "unauthorized"
  /** Shopify failed, or could not be reached: retry later. */
  | "unavailable"
  /** The query asks for more than Shopify's single-query cost limit (MAX_COST_EXCEEDED): ask for less. */
  | "too_costly";

export class AdminRequestError extends Error {
  constructor(
    readonly kind: AdminFailureKind,
    message: string,
    readonly retryAfterMs: number | null = null,
    /**
     * Whether Shopify may have carried the request out: false when it certainly did not (a
     * refused connection, a refusal before any work: 401, 429, THROTTLED, a query Shopify could
     * not parse or validate); true when the answer was lost (a timeout after sending, a 5xx) or
     * says Shopify failed while running it (INTERNAL_SERVER_ERROR, an answer without data). A
     * mutation that may have happened must be looked up before it is given up or sent again.
     */
    readonly mayHaveApplied = false,
  ) {
    super(message);
    this.name = "AdminRequestError";
  }
}

/** Time for the bucket to hold `cost` points again. */
export function msUntilAvailable(cost: number, status: ThrottleStatus | undefined): number {
  if (!status?.restoreRate || status.restoreRate <= 0 || status.currentlyAvailable === undefined) return 0;
  const missing = cost - status.currentlyAvailable;
  return missing <= 0 ? 0 : Math.ceil((missing / status.restoreRate) * 1000);
}

export async function adminRequest<Data>(
  graphql: AdminGraphql,
  document: string,
  variables?: Record<string, unknown>,
  { signal }: { signal?: AbortSignal } = {},
): Promise<AdminAnswer<Data>> {
  let body: { data?: Data; extensions?: { cost?: Cost } };
  try {
    const response = await graphql(document, variables || signal ? { ...(variables ? { variables } : {}), ...(signal ? { signal } : {}) } : undefined);
    body = await response.json();
  } catch (error) {
    throw adminFailure(error);
  }
  // No data and no errors: nothing says the request was not carried out.
  if (body.data === undefined || body.data === null) throw new AdminRequestError("unavailable", "the Admin API answered without data", null, true);
  const cost = body.extensions?.cost;
  return { data: body.data, waitBeforeNextMs: msUntilAvailable(cost?.requestedQueryCost ?? 0, cost?.throttleStatus), requestedCost: cost?.requestedQueryCost ?? null };
}

function adminFailure(error: unknown): AdminRequestError {
  if (error instanceof GraphqlQueryError) {
    const body = error.body as { errors?: { graphQLErrors?: { extensions?: { code?: string } }[] }; extensions?: { cost?: Cost } } | undefined;
    const throttled = body?.errors?.graphQLErrors?.some((graphqlError) => graphqlError.extensions?.code === "THROTTLED");
    if (body?.errors?.graphQLErrors?.some((graphqlError) => graphqlError.extensions?.code === "MAX_COST_EXCEEDED")) {
      return new AdminRequestError("too_costly", `the query costs more than Shopify allows at once: ${error.message}`);
    }
    if (throttled) {
      const cost = body?.extensions?.cost;
      const wait = msUntilAvailable(cost?.requestedQueryCost ?? 0, cost?.throttleStatus);
      return new AdminRequestError("throttled", "Shopify throttled the request", Math.max(wait, 1000));
    }
    const errors = (body?.errors?.graphQLErrors ?? []) as { extensions?: { code?: string }; path?: unknown[] }[];
    return new AdminRequestError("unavailable", `the Admin API refused the request: ${error.message}`, null, errors.some(mayHaveRun));
  }
  if (error instanceof HttpThrottlingError) {
    return new AdminRequestError("throttled", "Shopify throttled the request (429)", Math.max(1000, (error.response.retryAfter ?? 2) * 1000));
  }
  if (error instanceof HttpResponseError) {
    const status = error.response.code;
    if (status === 401 || status === 403) return new AdminRequestError("unauthorized", `the Admin API refused the shop's token (${status})`);
    // 402 (shop frozen for non-payment) and 423 (shop locked) last hours or days: ask again in an hour.
    if (status === 402 || status === 423) return new AdminRequestError("throttled", `the shop is unavailable (${status})`, 3_600_000);
    return new AdminRequestError("unavailable", `the Admin API answered ${status}`, null, status >= 500);
  }
  const message = (error as Error)?.message ?? String(error);
  return new AdminRequestError("unavailable", `the Admin API could not be reached: ${message}`, null, !message.includes(NOT_SENT_MARK));
}

/** Errors Shopify answers before it runs anything: the request certainly did nothing. */
const REFUSED_BEFORE_RUNNING = new Set(["THROTTLED", "MAX_COST_EXCEEDED", "ACCESS_DENIED", "SHOP_INACTIVE"]);

/**
 * Whether a GraphQL error leaves it open that the request ran: Shopify's own failure
 * (INTERNAL_SERVER_ERROR), or an error raised while a field ran (it has a `path`), unless its code
 * is a refusal before running. An error without a path or a code is the query's own (parse or
 * validation) and certain.
 */
function mayHaveRun(error: { extensions?: { code?: string }; path?: unknown[] }): boolean {
  const code = error.extensions?.code;
  if (code === "INTERNAL_SERVER_ERROR") return true;
  if (code !== undefined && REFUSED_BEFORE_RUNNING.has(code)) return false;
  return Array.isArray(error.path) && error.path.length > 0;
}
