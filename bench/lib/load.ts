// Sends a batch of pre-signed deliveries over keep-alive HTTP with a fixed number of requests in
// flight, timing each one from the request start to the last byte of the response. node:http is
// used rather than fetch because the client shares the machine's cores with the server, and
// its per-request overhead is the smaller of the two.
import http from "node:http";
import { performance } from "node:perf_hooks";
import type { Batch, SignedDelivery } from "./orders";

export interface DeliveryFailure {
  orderId: number;
  /** HTTP status, or null when the request itself failed (connection reset, …). */
  status: number | null;
  detail: string;
}

export interface LoadRun {
  batch: string;
  concurrency: number;
  sent: number;
  wallMs: number;
  /** One per delivery, in completion order, failures included. */
  latenciesMs: number[];
  failures: DeliveryFailure[];
}

/** Sends the batch; with `until`, stops taking new deliveries once it returns true. */
export async function deliverBatch(baseUrl: string, uri: string, batch: Batch, concurrency: number, until?: () => boolean): Promise<LoadRun> {
  const target = new URL(uri, baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latenciesMs: number[] = [];
  const failures: DeliveryFailure[] = [];
  let next = 0;

  // Each worker keeps one request in flight; together they hold `concurrency` in flight.
  const worker = async () => {
    while (next < batch.deliveries.length && !until?.()) {
      const delivery = batch.deliveries[next++];
      const started = performance.now();
      const failure = await send(agent, target, delivery);
      latenciesMs.push(performance.now() - started);
      if (failure) failures.push(failure);
    }
  };

  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const wallMs = performance.now() - started;
  return { batch: batch.name, concurrency, sent: latenciesMs.length, wallMs, latenciesMs, failures };
}

/** Resolves to null on a 200, or to what went wrong. Never rejects. */
function send(agent: http.Agent, target: URL, delivery: SignedDelivery): Promise<DeliveryFailure | null> {
  return new Promise((resolve) => {
    const request = http.request(
      { agent, hostname: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: delivery.headers },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          resolve(status === 200 ? null : { orderId: delivery.orderId, status, detail: Buffer.concat(chunks).toString().slice(0, 300) });
        });
        response.on("error", (error) => resolve({ orderId: delivery.orderId, status, detail: error.message }));
      },
    );
    request.on("error", (error) => resolve({ orderId: delivery.orderId, status: null, detail: error.message }));
    request.end(delivery.body);
  });
}
