import { errorResponse } from "~/shopify/responses";

// Anything else under the app proxy: a JSON 404, as the storefront API answers errors (DESIGN §5),
// rather than the admin's HTML error page.
const notFound = ({ request }: { request: Request }) =>
  errorResponse(404, "not_found", `${new URL(request.url).pathname} is not a storefront API endpoint.`);

export const loader = notFound;
export const action = notFound;
