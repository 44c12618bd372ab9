// The environment, parsed once. A missing or malformed variable stops the server at start with
// a message that names it, instead of failing on the first request.
import { z } from "zod";

const environmentSchema = z.object({
  SHOPIFY_API_KEY: z.string({ error: "is required (the app's client id)" }).min(1, "is required (the app's client id)"),
  SHOPIFY_API_SECRET: z
    .string({ error: "is required (the app's client secret)" })
    .min(1, "is required (the app's client secret)"),
  SHOPIFY_APP_URL: z.url({ error: "is required: the app's public URL, e.g. https://tally.example.com" }),
  SCOPES: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(",").map((scope) => scope.trim()).filter(Boolean)),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
});

export type Environment = z.infer<typeof environmentSchema>;

export function parseEnvironment(source: Record<string, string | undefined>): Environment {
  const result = environmentSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")} ${issue.message}`);
    throw new Error(`Tally cannot start: fix these environment variables:\n${problems.join("\n")}`);
  }
  return result.data;
}

export const env = parseEnvironment(process.env);
