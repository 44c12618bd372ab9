// POSTs JSON to the app proxy or the cart and reads the JSON answer (null when there is none,
// e.g. a proxy's HTML error page). Same origin, so fetch's default credentials send the cookies.
export async function post<Answer>(url: string, body: unknown): Promise<[Response, Answer | null]> {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return [response, await response.json().catch(() => null)];
}
