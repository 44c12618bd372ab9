// The storefront's write through the app proxy that every redeem takes, POST /apps/tally/redeem,
// as a plain answer: server.js serves the exact path with it, reading the body from the socket
// itself (at most the cap the endpoint names) and writing the answer as it is, as it does for
// the storefront's reads (storefront-reads.server.ts). Its Remix route serves every other spelling.
import type { PlainAnswer } from "./responses";
import { redeemRequest } from "./redeem.server";

/** The query string, the path (for logs), and the body's text read up to `maxBytes` (null: longer). */
export type StorefrontWrite = (search: string, path: string, readBody: (maxBytes: number) => Promise<string | null>) => Promise<PlainAnswer>;

/** What server.js serves without Remix for a POST: exact path → the write. */
export const storefrontWrites = new Map<string, StorefrontWrite>([["/proxy/redeem", redeemRequest]]);
