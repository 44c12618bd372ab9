// The environment, parsed once. A missing or malformed variable stops the server at start with
// a message that names it, instead of failing on the first request. The Shopify credentials are
// here; how the process runs (database, pools, workers, logs, jobs) is in runtime-env.server.ts,
// which this parses too, so importing `env` checks every variable the server reads.
import { z } from "zod";
import { EnvironmentError, runtimeEnv } from "./runtime-env.server";

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
  if (!result.success) throw new EnvironmentError(result.error.issues);
  return result.data;
}

export const env = { ...parseEnvironment(process.env), runtime: runtimeEnv };
