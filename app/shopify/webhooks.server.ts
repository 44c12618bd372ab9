// The shape every webhook route shares: verify (library HMAC), check the topic, skip an event
// already handled, parse the payload into a domain value, check the shop the body names, do the
// work in one transaction, record the event, answer.
//
// Verification is Shopify's own `api.webhooks.validate`, the check `authenticate.webhook` makes.
// `authenticate.webhook` also loads the shop's offline session on every delivery, to build an
// Admin API client; no webhook here uses one, and that lookup cost more than crediting the order.
//   200  the change committed, or the delivery was a recognised duplicate
//   401  bad HMAC (from the library); 400 missing headers or JSON that does not parse
//   403  the body names another shop than the (unsigned) shop header
//   413  a body over MAX_WEBHOOK_BYTES (never read further)
//   422  well-formed JSON that is not the payload the topic promises (changes nothing)
//   500  the database failed: Shopify retries
import type { z } from "zod";
import db from "~/db.server";
import { logger } from "~/logger.server";
import { observeWebhook } from "~/observability/metrics.server";
import { shopifyGidOf } from "~/loyalty/shops.server";
import { recordWebhookEvent, webhookEventSeen, type WebhookEventKey } from "./webhook-events.server";
import { sql } from "~/sql.server";
import { WebhookValidationErrorReason } from "@shopify/shopify-api";
import { webhooks } from "~/shopify.server";
import { parseShopifyJson, type BodyShop } from "./payloads";
import { readCappedText } from "./request-body.server";
import { errorResponse } from "./responses";
import { isShopDomain } from "./shop-domain";

/**
 * Far above any payload Shopify sends (an order's JSON is KBs to a few hundred KB). server.js
 * enforces the same limit before a request reaches the action; this one holds where it is not in
 * front (the development server) and for any path it would not recognise.
 */
export const MAX_WEBHOOK_BYTES = 10 * 1024 * 1024;

export interface WebhookContext<T> {
  shop: string;
  topic: string;
  webhookId: string;
  /** The event's id ("" when the delivery names none), for work that records it itself. */
  eventId: string;
  payload: T;
}

export interface WebhookOptions<T> {
  /**
   * The shop the payload names. Shopify's HMAC covers the body, not X-Shopify-Shop-Domain, so a
   * body captured from one shop could be replayed under another shop's header: topics that delete
   * or export a shop's data refuse a body naming another shop (or another shop id, when we know
   * the shop's id) with 403 and change nothing.
   */
  bodyShop?: (payload: T) => BodyShop;
  /**
   * The work records the event in its own transaction (the order webhooks: the ledger does),
   * so that it is stored exactly when the change commits, with no statement of its own.
   */
  workRecordsEvent?: boolean;
}

/**
 * Every delivery, whatever its answer, is counted (GET /metrics: by topic and outcome, with its
 * time) and logged as one line with its shop, topic, webhook id and duration. The shop and id
 * are the headers' (unsigned until the HMAC check passes; `verified` says whether it did).
 */
export async function handleWebhook<Schema extends z.ZodType>(
  request: Request,
  topic: string,
  schema: Schema,
  work: (context: WebhookContext<z.output<Schema>>) => Promise<unknown>,
  options: WebhookOptions<z.output<Schema>> = {},
): Promise<Response> {
  const started = performance.now();
  const trace: WebhookTrace = { outcome: null, verified: false };
  const response = await processWebhook(request, topic, schema, work, options, trace);
  const seconds = (performance.now() - started) / 1000;
  const outcome = trace.outcome ?? outcomeOf(response.status);
  observeWebhook(topic, outcome, seconds);
  const headers = request.headers;
  logger.info(
    {
      shop: headers.get("X-Shopify-Shop-Domain") ?? headers.get("Shopify-Shop-Domain"),
      topic,
      webhookId: headers.get("X-Shopify-Webhook-Id") ?? headers.get("Shopify-Webhook-Id"),
      eventId: headers.get("X-Shopify-Event-Id"),
      verified: trace.verified,
      status: response.status,
      outcome,
      durationMs: Math.round(seconds * 1e4) / 10,
    },
    "webhook",
  );
  return response;
}

interface WebhookTrace {
  /** Set where the status alone does not say it (a repeated event answers 200 too). */
  outcome: string | null;
  verified: boolean;
}

const OUTCOMES: Record<number, string> = {
  200: "processed",
  400: "bad_request",
  401: "invalid_hmac",
  403: "shop_mismatch",
  405: "method_not_allowed",
  413: "too_large",
  422: "invalid_payload",
  500: "failed",
};

function outcomeOf(status: number): string {
  return OUTCOMES[status] ?? `status_${status}`;
}

/**
 * Any method but POST on a webhook URI. Remix sends GET, HEAD and OPTIONS to a route's loader
 * rather than its action, so every webhook route exports this as its loader as well.
 */
export function webhookMethodNotAllowed(): Response {
  return errorResponse(405, "method_not_allowed", "Webhooks are POSTed.", { Allow: "POST" });
}

async function processWebhook<Schema extends z.ZodType>(
  request: Request,
  topic: string,
  schema: Schema,
  work: (context: WebhookContext<z.output<Schema>>) => Promise<unknown>,
  options: WebhookOptions<z.output<Schema>>,
  trace: WebhookTrace,
): Promise<Response> {
  if (request.method !== "POST") return webhookMethodNotAllowed();
  // The library throws on a malformed shop domain; answer that as the bad request it is.
  // (Shopify-Shop-Domain: the header as Shopify's newer Events deliveries name it.)
  const shop = request.headers.get("X-Shopify-Shop-Domain") ?? request.headers.get("Shopify-Shop-Domain");
  if (!isShopDomain(shop)) {
    logger.warn({ topic }, "webhook names an invalid shop domain");
    return errorResponse(400, "invalid_shop", "X-Shopify-Shop-Domain is not a myshopify.com domain.");
  }
  // The HMAC is Shopify's over the bytes it sent, so a leading BOM stays in for the check.
  const rawBody = await readCappedText(request, MAX_WEBHOOK_BYTES, { keepByteOrderMark: true });
  if (rawBody === null) {
    logger.warn({ topic }, "webhook body is over the size limit");
    return errorResponse(413, "payload_too_large", "The webhook body is too large.");
  }
  // X-Shopify-Event-Id names the event, the same in every delivery of it (Shopify's key for
  // duplicates); X-Shopify-Webhook-Id names the delivery and stands in when there is no event id
  // (Shopify's newer Events deliveries send Shopify-Webhook-Id, their key for duplicates). Like
  // the shop header, these are not signed: the HMAC makes the body Shopify's, not the headers.
  const event: WebhookEventKey = { shopDomain: shop, eventId: eventIdOf(request.headers), topic };
  // The lookup's round trip overlaps the HMAC check; its answer is used only once the request
  // has passed that check and the topic check.
  const seen = event.eventId ? webhookEventSeen(sql(), event) : Promise.resolve(false);
  seen.catch(() => {}); // awaited below, or not needed (the request is refused first)
  const check = await webhooks.validate({ rawBody, rawRequest: shopifyHeadersOnly(request) });
  if (!check.valid) {
    if (check.reason === WebhookValidationErrorReason.InvalidHmac) {
      logger.warn({ topic }, "webhook HMAC is invalid");
      return errorResponse(401, "invalid_hmac", "The webhook signature is invalid.");
    }
    logger.warn({ topic, reason: check.reason }, "webhook is missing Shopify's headers or body");
    return errorResponse(400, "invalid_webhook", `The webhook request is incomplete: ${check.reason}.`);
  }
  trace.verified = true;
  const log = logger.child({ topic, shop: check.domain, webhookId: check.webhookId });
  if (check.topic !== topicHeaderValue(topic)) {
    log.warn({ received: check.topic }, "webhook topic does not match its route");
    return errorResponse(400, "wrong_topic", `This endpoint receives ${topic} webhooks only.`);
  }
  try {
    if (await seen) {
      log.debug({ eventId: event.eventId }, "webhook event already handled; skipped");
      trace.outcome = "duplicate";
      return new Response(null, { status: 200 });
    }
  } catch (error) {
    log.error({ err: error }, "webhook event lookup failed; Shopify will retry");
    return errorResponse(500, "processing_failed", "The change could not be saved; please retry.");
  }
  let payload: unknown;
  try {
    payload = parseShopifyJson(rawBody.startsWith("\uFEFF") ? rawBody.slice(1) : rawBody);
  } catch (error) {
    log.warn({ error: (error as Error).message }, "webhook body is not JSON");
    return errorResponse(400, "malformed_json", "The webhook body is not valid JSON.");
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
    log.warn({ issues }, "webhook payload rejected");
    return errorResponse(422, "invalid_payload", `The ${topic} payload is not valid: ${issues.join("; ")}`);
  }
  try {
    if (options.bodyShop) {
      const refused = await refuseOtherShop(check.domain, options.bodyShop(parsed.data), log);
      if (refused) return refused;
    }
    await work({ shop: check.domain, topic, webhookId: check.webhookId, eventId: event.eventId, payload: parsed.data });
  } catch (error) {
    log.error({ err: error }, "webhook processing failed; Shopify will retry");
    return errorResponse(500, "processing_failed", "The change could not be saved; please retry.");
  }
  // Not waited for: the event counts as seen in this process at once, and a record that fails
  // leaves a redelivery to the work's own idempotency (the change itself has committed).
  if (event.eventId && !options.workRecordsEvent) {
    recordWebhookEvent(sql(), event).catch((error: unknown) => log.warn({ err: error }, "webhook event could not be recorded"));
  }
  log.debug("webhook processed");
  return new Response(null, { status: 200 });
}

function eventIdOf(headers: Headers): string {
  return headers.get("X-Shopify-Event-Id") || headers.get("X-Shopify-Webhook-Id") || headers.get("Shopify-Webhook-Id") || "";
}

/** A 403 when the body names another shop than the header, or another id than the shop's. */
async function refuseOtherShop(shop: string, named: BodyShop, log: typeof logger): Promise<Response | null> {
  let mismatch = named.domain !== null && named.domain !== shop;
  if (!mismatch && named.id !== null) {
    const gid = await shopifyGidOf(db, shop);
    mismatch = gid !== null && gid !== `gid://shopify/Shop/${named.id}`;
  }
  if (!mismatch) return null;
  log.warn({ bodyShop: named.domain, bodyShopId: named.id?.toString() ?? null }, "webhook body names another shop than its header; refused");
  return errorResponse(403, "shop_mismatch", "The webhook body names another shop than X-Shopify-Shop-Domain.");
}

/**
 * The request with only Shopify's own headers (X-Shopify-* and the newer Shopify-*), which is all
 * the library reads. It canonicalises every header name on every lookup, so the dozen or more
 * headers proxies and CDNs add cost more than the HMAC itself (bench: ~3x faster validate).
 */
function shopifyHeadersOnly(request: Request): Request {
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    if (name.startsWith("x-shopify-") || name.startsWith("shopify-")) headers.set(name, value);
  }
  return new Request(request.url, { method: request.method, headers });
}

// The library reports topics as ORDERS_PAID for "orders/paid".
function topicHeaderValue(topic: string): string {
  return topic.toUpperCase().replace(/[/.]/g, "_");
}
