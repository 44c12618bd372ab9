// For process supervisors: the process is up and serving HTTP. It does not touch the database
// (GET /readyz does), so a database outage does not get healthy processes restarted.
export const loader = () => new Response("ok", { headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
