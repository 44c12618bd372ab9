// For load balancers: 200 when this process can serve (database reachable, migrations applied),
// 503 with the reason otherwise (app/observability/readiness.server.ts).
import db from "~/db.server";
import { readiness } from "~/observability/readiness.server";
import { runtimeEnv } from "~/runtime-env.server";

export const loader = async () => {
  const state = await readiness(db, runtimeEnv.database);
  const headers = { "Content-Type": "text/plain", "Cache-Control": "no-store" };
  return state.ready ? new Response("ready", { headers }) : new Response(`not ready: ${state.reason}`, { status: 503, headers });
};
