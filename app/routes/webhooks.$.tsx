import { errorResponse } from "~/shopify/responses";

// A webhook URI Tally does not subscribe to (shopify.app.toml lists those it does): a JSON 404,
// as every other webhook answer, rather than the admin's HTML error page.
const notFound = ({ request }: { request: Request }) =>
  errorResponse(404, "not_found", `${new URL(request.url).pathname} is not a webhook Tally subscribes to.`);

export const loader = notFound;
export const action = notFound;
