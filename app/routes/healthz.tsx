import db from "~/db.server";

// For load balancers and start scripts: the server is up and its database answers.
export const loader = async () => {
  await db.$queryRawUnsafe("SELECT 1");
  return new Response("ok", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
};
