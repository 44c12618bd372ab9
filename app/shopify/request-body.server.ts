// Request bodies read with a cap: a declared Content-Length over the limit is refused unread,
// and a streamed body is read no further than the limit.
import type { z } from "zod";
import { errorAnswer, responseOf, type PlainAnswer } from "./responses";

/**
 * The body as UTF-8 text, or null once it is over `maxBytes`. A leading BOM is dropped, as
 * request.text() does, unless `keepByteOrderMark`: a webhook's HMAC covers every byte sent.
 */
export async function readCappedText(request: Request, maxBytes: number, { keepByteOrderMark = false } = {}): Promise<string | null> {
  if (Number(request.headers.get("Content-Length") ?? 0) > maxBytes) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Not awaited: the sender may never finish, and nothing more is wanted from it.
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { ignoreBOM: keepByteOrderMark }).decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
}

/** Storefront JSON bodies are a few fields. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

export type JsonBody<T> = { ok: true; value: T } | { ok: false; response: Response };

/** A small JSON body validated by `schema`, or the 4xx answer saying what is wrong with it. */
export async function readJsonBody<Schema extends z.ZodType>(request: Request, schema: Schema, maxBytes = MAX_JSON_BODY_BYTES): Promise<JsonBody<z.output<Schema>>> {
  const body = jsonBodyOf(await readCappedText(request, maxBytes), schema, maxBytes);
  return body.ok ? body : { ok: false, response: responseOf(body.answer) };
}

/** A small JSON body's text (null: it was over `maxBytes`) validated by `schema`, or the 4xx answer saying what is wrong with it. */
export function jsonBodyOf<Schema extends z.ZodType>(
  text: string | null,
  schema: Schema,
  maxBytes = MAX_JSON_BODY_BYTES,
): { ok: true; value: z.output<Schema> } | { ok: false; answer: PlainAnswer } {
  if (text === null) return { ok: false, answer: errorAnswer(413, "body_too_large", `The body is larger than ${maxBytes} bytes.`) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, answer: errorAnswer(400, "invalid_json", "The body is not valid JSON.") };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    return { ok: false, answer: errorAnswer(400, "invalid_body", `${where}${issue.message}`) };
  }
  return { ok: true, value: parsed.data };
}
