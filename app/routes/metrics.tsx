// GET /metrics: Prometheus text format, for the operator's scraper only. Off (404) unless
// METRICS_TOKEN is set; then `Authorization: Bearer <METRICS_TOKEN>` is required (401 otherwise).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { metricsText } from "~/observability/metrics.server";
import { bearerTokenMatches } from "~/observability/metrics-auth.server";
import { runtimeEnv } from "~/runtime-env.server";
import { errorResponse } from "~/shopify/responses";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const token = runtimeEnv.metricsToken;
  if (token === null) return errorResponse(404, "not_found", "Not found.");
  if (!bearerTokenMatches(request.headers.get("Authorization"), token)) {
    return errorResponse(401, "unauthorized", "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.", { "WWW-Authenticate": 'Bearer realm="metrics"' });
  }
  const text = await metricsText();
  return new Response(text, { headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" } });
};
