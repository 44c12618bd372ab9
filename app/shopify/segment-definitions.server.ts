// The customer metafield definitions of the segment metafields (tally.balance, tally.pending,
// tally.tier): Shopify's segment editor filters only on metafields that have a definition. Created
// at install; a definition that exists already (a reinstall) is left as it is.
import { z } from "zod";
import { SEGMENT_METAFIELD_DEFINITIONS, SEGMENT_NAMESPACE } from "~/loyalty/tier-segments";
import type { AdminGraphql } from "./admin-graphql";
import { CREATE_METAFIELD_DEFINITION } from "./graphql/metafield-definitions";

const createAnswer = z.object({
  data: z.object({
    metafieldDefinitionCreate: z.object({
      createdDefinition: z.object({ id: z.string() }).nullable(),
      userErrors: z.array(z.object({ field: z.array(z.string()).nullable(), message: z.string(), code: z.string().nullable() })),
    }),
  }),
});

export type DefinitionOutcome = "created" | "exists";

/** Creates each definition; throws on anything but success or "already taken". */
export async function createSegmentDefinitions(graphql: AdminGraphql): Promise<Record<string, DefinitionOutcome>> {
  const outcomes: Record<string, DefinitionOutcome> = {};
  for (const definition of SEGMENT_METAFIELD_DEFINITIONS) {
    const variables = { definition: { ...definition, namespace: SEGMENT_NAMESPACE, ownerType: "CUSTOMER" } };
    const answer = createAnswer.safeParse(await (await graphql(CREATE_METAFIELD_DEFINITION, { variables })).json());
    if (!answer.success) throw new Error(`the Admin API's answer to metafieldDefinitionCreate (${definition.key}) did not parse`);
    const { createdDefinition, userErrors } = answer.data.data.metafieldDefinitionCreate;
    if (createdDefinition) outcomes[definition.key] = "created";
    else if (userErrors.length > 0 && userErrors.every((error) => error.code === "TAKEN")) outcomes[definition.key] = "exists";
    else throw new Error(`metafieldDefinitionCreate (${definition.key}) refused: ${userErrors.map((error) => `${error.code}: ${error.message}`).join("; ")}`);
  }
  return outcomes;
}
