import { createHash, timingSafeEqual } from "node:crypto";

/** Whether the Authorization header is `Bearer <token>`, compared in constant time. */
export function bearerTokenMatches(header: string | null, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}
