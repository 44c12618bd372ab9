import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { logger } from "./logger.server";
import { startBackgroundJobs } from "./jobs/background.server";
import { addDocumentResponseHeaders } from "./shopify.server";

export const streamTimeout = 5000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  // Bots get the whole document at once; people get the shell as soon as it is ready.
  const readyEvent = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise<Response>((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [readyEvent]: () => {
        const body = new PassThrough();
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError: reject,
      onError(error: unknown) {
        responseStatusCode = 500;
        logger.error({ err: error }, "render failed");
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}

// What server.js needs of the app besides handling requests: the parsed environment (importing
// this module parses it; a bad variable stops the server), the background jobs it starts in
// each worker, and the storefront reads it serves without Remix.
export { runtimeEnv } from "./runtime-env.server";
export { startBackgroundJobs, stopBackgroundJobs } from "./jobs/background.server";
export { serveClusterMetrics } from "./observability/metrics.server";
export { storefrontReads } from "./shopify/storefront-reads.server";
export { storefrontWrites } from "./shopify/storefront-writes.server";

// The development server has no server.js in front: the jobs start when it first loads the app.
if (import.meta.env.DEV) void startBackgroundJobs();
