// What Shopify's Admin GraphQL API does with the operations Tally sends, kept in memory: for the
// tests' stand-in (test/support/shopify-admin-api.ts) and the local demo's
// (dev/simulator/admin-api-stand-in.ts). Answers are shaped like Shopify's, and every request
// is first validated against the pinned Admin schema, as Shopify does: a document or a
// variable that Shopify would refuse is refused here too, with Shopify's kind of error.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, getOperationAST, parse, validate, type GraphQLSchema, type IntrospectionQuery, type OperationDefinitionNode } from "graphql";
import { getVariableValues } from "graphql/execution/values";
import { apiVersion } from "../../app/shopify/api-version";
import { PROJECT_ROOT } from "./app-config";
import { BULK_FILE_ORIGIN, bulkOperationNode, bulkQueryErrors, executeWithRoot, runBulkQuery, type BulkOperation } from "./shopify-bulk";
import { executeOrderQuery, ordersMatching, simulatedOrder, type RestOrder, type RestRefund, type SimulatedOrder } from "./shopify-orders";

export interface AdminCall {
  shop: string;
  query: string;
  variables: Record<string, unknown>;
}

export interface AdminAnswer {
  status: number;
  body: unknown;
}

export const SIMULATED_SHOP_GID = "gid://shopify/Shop/548380009";

let schema: GraphQLSchema | null = null;
function adminSchema(): GraphQLSchema {
  schema ??= buildClientSchema(
    (JSON.parse(gunzipSync(readFileSync(path.join(PROJECT_ROOT, `test/fixtures/shopify/admin_${apiVersion}.json.gz`))).toString("utf8")) as { data: IntrospectionQuery })
      .data,
  );
  return schema;
}

interface CheckedDocument {
  errors: readonly string[];
  operation: OperationDefinitionNode | null | undefined;
}

/**
 * Each document's parse and validation, once: the app sends a handful of constant documents, and
 * validating one against the whole Admin schema costs a couple of milliseconds of this machine's
 * CPU, which Shopify spends on its own servers, not on the app's cores.
 */
const checkedDocuments = new Map<string, CheckedDocument>();
const CHECKED_DOCUMENTS_KEPT = 500;

function checkedDocument(query: string): CheckedDocument {
  let checked = checkedDocuments.get(query);
  if (!checked) {
    const document = parse(query);
    checked = { errors: validate(adminSchema(), document).map((error) => error.message), operation: getOperationAST(document) };
    // Bulk queries and tests' ad hoc documents vary: the memo stays bounded.
    if (checkedDocuments.size >= CHECKED_DOCUMENTS_KEPT) checkedDocuments.clear();
    checkedDocuments.set(query, checked);
  }
  return checked;
}

/** Shopify's answer to a document or variables it refuses (HTTP 200 with `errors`, no `data`). */
export function schemaErrors(call: Pick<AdminCall, "query" | "variables">): AdminAnswer | null {
  const { errors: documentErrors, operation } = checkedDocument(call.query);
  const errors = [...documentErrors];
  if (errors.length === 0 && operation) {
    const values = getVariableValues(adminSchema(), operation.variableDefinitions ?? [], call.variables);
    if (values.errors) errors.push(...values.errors.map((error) => error.message));
  }
  if (errors.length === 0) return null;
  return { status: 200, body: { errors: errors.map((message) => ({ message, extensions: { code: "INVALID_VARIABLE" } })) } };
}

/** The operation's name, as Shopify reads it from the document. */
function operationName(query: string): string | undefined {
  return checkedDocument(query).operation?.name?.value;
}

const COST = { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } };

/** Roughly what Shopify charges for reconciliation's queries (a point an order; nested connections more). */
function costOf(name: string | undefined, call: AdminCall) {
  const cost = (requestedQueryCost: number) => ({ ...COST, requestedQueryCost, actualQueryCost: requestedQueryCost });
  if (name === "ReconcileOrderPage") return cost(Number(call.variables.first ?? 0) + 2);
  if (name === "ReconcileOrderDetails") return cost(250 * ((call.variables.ids as unknown[] | undefined)?.length ?? 0));
  // A connection costs its `first` (each node with its nested lists), plus the object asking.
  if (name === "ReconcileOrderLineItems" || name === "ReconcileRefundLineItems") return cost(3 * Number(call.variables.first ?? 0) + 2);
  // Order.refunds is a list without `first` here: Shopify prices what it cannot bound high.
  if (name === "ReconcileOrderRefunds") return cost(102);
  if (name === "ReconcileOrderTips") return cost(252 * Number(call.variables.first ?? 0) + 2);
  if (name === "ReconcileOrdersCount" || name === "ReconcileBulkStatus") return cost(1);
  return COST;
}

/** Tally's Flow trigger extensions as Shopify knows them from the app's deploy: handle → field keys. */
let flowTriggerFields: Map<string, { customer: boolean; keys: string[] }> | null = null;
function flowTriggers(): Map<string, { customer: boolean; keys: string[] }> {
  if (flowTriggerFields) return flowTriggerFields;
  flowTriggerFields = new Map();
  const root = path.join(PROJECT_ROOT, "extensions");
  for (const folder of readdirSync(root)) {
    let toml: string;
    try {
      toml = readFileSync(path.join(root, folder, "shopify.extension.toml"), "utf8");
    } catch {
      continue;
    }
    if (!/type\s*=\s*"flow_trigger"/.test(toml)) continue;
    const handle = /handle\s*=\s*"([^"]+)"/.exec(toml)?.[1];
    if (!handle) continue;
    const keys = [...toml.matchAll(/^key\s*=\s*"([^"]+)"/gm)].map((match) => match[1]);
    flowTriggerFields.set(handle, { customer: toml.includes('type = "customer_reference"'), keys });
  }
  return flowTriggerFields;
}

export interface FlowTriggerRecord {
  shop: string;
  handle: string;
  payload: Record<string, unknown>;
}

export interface DiscountRecord {
  id: string;
  code: string;
  kind: "DiscountCodeBasic" | "DiscountCodeFreeShipping";
  input: Record<string, unknown>;
  usageCount: number;
}

export interface StandInCustomer {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
}

export interface StoreCreditRecord {
  id: string;
  customerId: string;
  amount: string;
  currencyCode: string;
  createdAt: string;
}

/** One Shopify (every shop), as far as Tally's operations can tell. */
export class ShopifyAdmin {
  readonly metafields = new Map<string, string>();
  /** Owners that no longer exist in Shopify (a deleted or merged customer). */
  readonly missingOwners = new Set<string>();
  readonly discounts = new Map<string, DiscountRecord>();
  readonly storeCredits = new Map<string, StoreCreditRecord[]>();
  /** Customer tags, by shop and customer GraphQL id. */
  readonly tags = new Map<string, Set<string>>();
  /** Orders per shop, by GraphQL id, for reconciliation's queries. */
  readonly orders = new Map<string, Map<string, SimulatedOrder>>();
  /** Metafield definitions per shop, by owner type, namespace and key. */
  readonly metafieldDefinitions = new Map<string, { id: string; name: string; type: string }>();
  /** Customers per shop, by lower-cased email: what Shopify's customer search finds. */
  readonly customers = new Map<string, Map<string, StandInCustomer>>();
  /** Flow triggers received (workflows started), in order. */
  readonly flowTriggers: FlowTriggerRecord[] = [];
  /** Bulk operations, by id. */
  readonly bulkOperations = new Map<string, BulkOperation>();
  /** Status polls a new bulk operation answers RUNNING before it is COMPLETED (it is CREATED when started). */
  bulkPollsToComplete = 2;
  /** The next bulk operation fails with this error code (ACCESS_DENIED, INTERNAL_SERVER_ERROR, TIMEOUT) instead of completing. */
  failNextBulkWith: string | null = null;
  private nextId = 1000;

  /** The order (REST payload) as Shopify now holds it, with its refunds (replaces an earlier version). */
  putOrder(shop: string, order: RestOrder, refunds: readonly RestRefund[] = []): void {
    const simulated = simulatedOrder(order, refunds);
    if (!this.orders.has(shop)) this.orders.set(shop, new Map());
    this.orders.get(shop)!.set(simulated.gid, simulated);
  }

  answer(call: AdminCall): AdminAnswer {
    const refused = schemaErrors(call);
    if (refused) return refused;
    const name = operationName(call.query);
    const data = this.data(name, call);
    return { status: 200, body: { data, extensions: { cost: costOf(name, call) } } };
  }

  /** The result file a COMPLETED bulk operation's `url` names (undefined: no such file). */
  bulkFile(url: string): string | undefined {
    for (const operation of this.bulkOperations.values()) if (operation.status === "COMPLETED" && operation.fileUrl === url) return operation.jsonl;
    return undefined;
  }

  /** The operation completes now (its next poll says so). */
  completeBulk(id: string): void {
    const operation = this.bulkOperations.get(id);
    if (operation) operation.pollsLeft = 0;
  }

  private runBulk(shop: string, query: string) {
    const errors = bulkQueryErrors(adminSchema(), query);
    if (errors.length > 0) return { bulkOperation: null, userErrors: errors.map((message) => ({ field: ["query"], message, code: "INVALID" })) };
    const running = [...this.bulkOperations.values()].some((operation) => operation.shop === shop && (operation.status === "CREATED" || operation.status === "RUNNING"));
    if (running) {
      return { bulkOperation: null, userErrors: [{ field: null, message: "A bulk query operation for this app and shop is already in progress.", code: "OPERATION_IN_PROGRESS" }] };
    }
    const number = this.nextId++;
    const result = runBulkQuery(adminSchema(), [...(this.orders.get(shop)?.values() ?? [])], query);
    const operation: BulkOperation = {
      id: `gid://shopify/BulkOperation/${number}`,
      shop,
      query,
      status: "CREATED",
      createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      completedAt: null,
      errorCode: null,
      objectCount: result.objects,
      rootObjectCount: result.roots,
      jsonl: result.jsonl,
      fileUrl: result.objects > 0 ? `${BULK_FILE_ORIGIN}/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/${number}-final.jsonl?X-Goog-Expires=604800` : null,
      pollsLeft: this.bulkPollsToComplete,
      failWith: this.failNextBulkWith,
    };
    this.failNextBulkWith = null;
    this.bulkOperations.set(operation.id, operation);
    return { bulkOperation: bulkOperationNode(operation), userErrors: [] };
  }

  private pollBulk(id: string) {
    const operation = this.bulkOperations.get(id);
    if (!operation) return null;
    if (operation.status === "CREATED" || operation.status === "RUNNING") {
      if (operation.pollsLeft <= 0) {
        operation.status = operation.failWith ? "FAILED" : "COMPLETED";
        operation.errorCode = operation.failWith;
        if (!operation.failWith) operation.completedAt = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      } else {
        operation.pollsLeft--;
        operation.status = "RUNNING";
      }
    }
    return bulkOperationNode(operation);
  }

  /** A customer of `shop` in Shopify (the demo's customers, for the CSV import's email lookup). */
  putCustomer(shop: string, customer: StandInCustomer): void {
    if (!this.customers.has(shop)) this.customers.set(shop, new Map());
    this.customers.get(shop)!.set(customer.email.toLowerCase(), customer);
  }

  /** Shopify's customer search, as far as `email:"a" OR email:"b"` goes (case-insensitive, as Shopify's is). */
  private customersByEmail(shop: string, query: string): StandInCustomer[] {
    const known = this.customers.get(shop) ?? new Map<string, StandInCustomer>();
    const wanted = [...query.matchAll(/email:"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1].replace(/\\(.)/g, "$1").toLowerCase());
    return wanted.flatMap((email) => known.get(email) ?? []);
  }

  /** The discount holding `code` in `shop` (codes are case-insensitive in Shopify). */
  discount(shop: string, code: string): DiscountRecord | undefined {
    return this.discounts.get(`${shop} ${code.toUpperCase()}`);
  }

  /** An order used the code at checkout. */
  useCode(shop: string, code: string): void {
    const discount = this.discount(shop, code);
    if (!discount) throw new Error(`no discount code ${code} in ${shop}`);
    discount.usageCount++;
  }

  credits(shop: string, customerGid: string): StoreCreditRecord[] {
    return this.storeCredits.get(`${shop} ${customerGid}`) ?? [];
  }

  private data(name: string | undefined, call: AdminCall): unknown {
    const v = call.variables;
    switch (name) {
      case "ShopFacts":
        return { shop: { id: SIMULATED_SHOP_GID, currencyCode: "USD", ianaTimezone: "America/New_York" } };
      case "SetMetafields":
        return this.setMetafields(call.shop, v.metafields as { ownerId: string; namespace: string; key: string; value: string }[]);
      case "CreateBasicCode":
        return { discountCodeBasicCreate: this.createCode(call.shop, "DiscountCodeBasic", v.discount as Record<string, unknown>) };
      case "CreateFreeShippingCode":
        return { discountCodeFreeShippingCreate: this.createCode(call.shop, "DiscountCodeFreeShipping", v.discount as Record<string, unknown>) };
      case "CodeDiscountByCode": {
        const discount = this.discount(call.shop, String(v.code));
        return {
          codeDiscountNodeByCode: discount
            ? { id: discount.id, codeDiscount: { __typename: discount.kind, codes: { nodes: [{ code: discount.code, asyncUsageCount: discount.usageCount }] } } }
            : null,
        };
      }
      case "CreditStoreCredit":
        return { storeCreditAccountCredit: this.credit(call.shop, String(v.id), v.credit as { creditAmount: { amount: string; currencyCode: string } }) };
      case "RecentStoreCredits": {
        const credits = this.credits(call.shop, String(v.customerId));
        const byCurrency = new Map<string, StoreCreditRecord[]>();
        for (const credit of credits) byCurrency.set(credit.currencyCode, [...(byCurrency.get(credit.currencyCode) ?? []), credit]);
        return {
          customer: {
            storeCreditAccounts: {
              nodes: [...byCurrency].map(([currencyCode, list]) => ({
                id: `gid://shopify/StoreCreditAccount/${currencyCode}${list[0].id.split("/").at(-1)}`,
                transactions: {
                  nodes: [...list].reverse().map((credit) => ({
                    __typename: "StoreCreditAccountCreditTransaction",
                    id: credit.id,
                    createdAt: credit.createdAt,
                    amount: { amount: credit.amount, currencyCode: credit.currencyCode },
                  })),
                },
              })),
            },
          },
        };
      }
      case "AddCustomerTags":
        return { tagsAdd: this.changeTags(call.shop, String(v.id), v.tags as string[], "add") };
      case "RemoveCustomerTags":
        return { tagsRemove: this.changeTags(call.shop, String(v.id), v.tags as string[], "remove") };
      case "DeleteMetafields": {
        const inputs = v.metafields as { ownerId: string; namespace: string; key: string }[];
        const deleted = inputs.filter((input) => this.metafields.delete(`${call.shop} ${input.ownerId} ${input.namespace}.${input.key}`));
        return { metafieldsDelete: { deletedMetafields: deleted.map((input) => ({ key: input.key })), userErrors: [] } };
      }
      case "CreateMetafieldDefinition": {
        const definition = v.definition as { ownerType: string; namespace: string; key: string; name: string; type: string };
        const key = `${call.shop} ${definition.ownerType} ${definition.namespace}.${definition.key}`;
        if (this.metafieldDefinitions.has(key)) {
          const taken = { field: ["definition", "key"], message: "Key is in use for Customer metafields on the '" + definition.namespace + "' namespace.", code: "TAKEN" };
          return executeWithRoot(adminSchema(), call.query, call.variables, { metafieldDefinitionCreate: { createdDefinition: null, userErrors: [taken] } });
        }
        const id = `gid://shopify/MetafieldDefinition/${this.nextId++}`;
        this.metafieldDefinitions.set(key, { id, name: definition.name, type: definition.type });
        return executeWithRoot(adminSchema(), call.query, call.variables, { metafieldDefinitionCreate: { createdDefinition: { id }, userErrors: [] } });
      }
      case "CustomersByEmail": {
        const found = this.customersByEmail(call.shop, String(v.query ?? "")).slice(0, Number(v.first ?? 50));
        const nodes = found.map((customer) => ({ legacyResourceId: String(customer.id), firstName: customer.firstName, lastName: customer.lastName, defaultEmailAddress: { emailAddress: customer.email } }));
        return executeWithRoot(adminSchema(), call.query, call.variables, { customers: { nodes } });
      }
      case "FlowTriggerReceive":
        return { flowTriggerReceive: this.receiveFlowTrigger(call.shop, String(v.handle ?? ""), v.payload) };
      case "ReconcileOrderPage":
      case "ReconcileOrderDetails":
      case "ReconcileOrderLineItems":
      case "ReconcileOrderRefunds":
      case "ReconcileRefundLineItems":
      case "ReconcileOrderTips":
        return executeOrderQuery(adminSchema(), [...(this.orders.get(call.shop)?.values() ?? [])], call.query, call.variables);
      case "ReconcileOrdersCount": {
        const limit = v.limit === undefined || v.limit === null ? 10_000 : Number(v.limit);
        const count = ordersMatching([...(this.orders.get(call.shop)?.values() ?? [])], String(v.query ?? "")).length;
        return executeWithRoot(adminSchema(), call.query, call.variables, { ordersCount: { count: Math.min(count, limit), precision: count > limit ? "AT_LEAST" : "EXACT" } });
      }
      case "ReconcileBulkRun":
        return executeWithRoot(adminSchema(), call.query, call.variables, { bulkOperationRunQuery: this.runBulk(call.shop, String(v.query ?? "")) });
      case "ReconcileBulkStatus":
        return executeWithRoot(adminSchema(), call.query, call.variables, { bulkOperation: this.pollBulk(String(v.id ?? "")) });
      default:
        throw new Error(`the Shopify stand-in does not know operation ${name ?? "(anonymous)"}`);
    }
  }

  private setMetafields(shop: string, inputs: { ownerId: string; namespace: string; key: string; value: string }[]) {
    // metafieldsSet is atomic: one refused metafield and none is written.
    const refused = inputs.flatMap((input, index) =>
      this.missingOwners.has(input.ownerId) ? [{ field: ["metafields", String(index), "ownerId"], message: "Owner does not exist", code: "INVALID", elementIndex: index }] : [],
    );
    if (refused.length > 0) return { metafieldsSet: { metafields: null, userErrors: refused } };
    for (const input of inputs) this.metafields.set(`${shop} ${input.ownerId} ${input.namespace}.${input.key}`, input.value);
    return { metafieldsSet: { metafields: inputs.map((input) => ({ ownerType: input.ownerId.includes("/Shop/") ? "SHOP" : "CUSTOMER", key: input.key })), userErrors: [] } };
  }

  /** The customer's tags in `shop`, sorted. */
  customerTags(shop: string, ownerId: string): string[] {
    return [...(this.tags.get(`${shop} ${ownerId}`) ?? [])].sort();
  }

  /** tagsAdd/tagsRemove: adding a tag held or removing one not held changes nothing; an unknown customer is a user error. */
  private changeTags(shop: string, ownerId: string, tags: readonly string[], change: "add" | "remove") {
    if (this.missingOwners.has(ownerId)) return { node: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] };
    if (tags.some((tag) => tag.trim() === "" || tag.length > 255)) return { node: null, userErrors: [{ field: ["tags"], message: "Tags are invalid" }] };
    const held = this.tags.get(`${shop} ${ownerId}`) ?? new Set<string>();
    for (const tag of tags) {
      if (change === "add") held.add(tag.trim());
      else held.delete(tag.trim());
    }
    this.tags.set(`${shop} ${ownerId}`, held);
    return { node: { id: ownerId }, userErrors: [] };
  }

  /** Flow checks the payload against the trigger's fields: unknown handle, missing or extra field → userErrors. */
  private receiveFlowTrigger(shop: string, handle: string, payload: unknown) {
    const trigger = flowTriggers().get(handle);
    const errors: { field: string[]; message: string }[] = [];
    if (!trigger) errors.push({ field: ["handle"], message: `Trigger ${handle} not found` });
    else if (typeof payload !== "object" || payload === null || Array.isArray(payload)) errors.push({ field: ["payload"], message: "Payload must be an object" });
    else {
      const given = payload as Record<string, unknown>;
      if (trigger.customer && typeof given.customer_id !== "number") errors.push({ field: ["payload", "customer_id"], message: "customer_id is required" });
      for (const key of trigger.keys) if (!(key in given)) errors.push({ field: ["payload", key], message: `${key} is required` });
      for (const key of Object.keys(given)) {
        if (key !== "customer_id" && !trigger.keys.includes(key)) errors.push({ field: ["payload", key], message: `${key} is not a field of the trigger` });
      }
    }
    if (errors.length === 0) this.flowTriggers.push({ shop, handle, payload: payload as Record<string, unknown> });
    return { userErrors: errors };
  }

  private createCode(shop: string, kind: DiscountRecord["kind"], input: Record<string, unknown>) {
    const code = String(input.code ?? "");
    const input_ = kind === "DiscountCodeBasic" ? "basicCodeDiscount" : "freeShippingCodeDiscount";
    const userErrors: { field: string[]; message: string; code: string }[] = [];
    if (!code) userErrors.push({ field: [input_, "code"], message: "Code can't be blank", code: "BLANK" });
    else if (this.discount(shop, code)) userErrors.push({ field: [input_, "code"], message: "Code must be unique. Please try a different code.", code: "TAKEN" });
    const customers = (input.context as { customers?: { add?: string[] } } | undefined)?.customers?.add ?? [];
    for (const customer of customers) {
      if (this.missingOwners.has(customer)) userErrors.push({ field: [input_, "context", "customers", "add"], message: "Customer does not exist", code: "INVALID" });
    }
    if (userErrors.length > 0) return { codeDiscountNode: null, userErrors };
    const discount: DiscountRecord = { id: `gid://shopify/DiscountCodeNode/${this.nextId++}`, code, kind, input, usageCount: 0 };
    this.discounts.set(`${shop} ${code.toUpperCase()}`, discount);
    return { codeDiscountNode: { id: discount.id }, userErrors: [] };
  }

  private credit(shop: string, ownerId: string, input: { creditAmount: { amount: string; currencyCode: string } }) {
    if (this.missingOwners.has(ownerId)) {
      return { storeCreditAccountTransaction: null, userErrors: [{ field: ["id"], message: "Owner does not exist", code: "OWNER_NOT_FOUND" }] };
    }
    if (!(Number(input.creditAmount.amount) > 0)) {
      return { storeCreditAccountTransaction: null, userErrors: [{ field: ["creditInput", "creditAmount", "amount"], message: "Amount must be positive", code: "NEGATIVE_OR_ZERO_AMOUNT" }] };
    }
    const record: StoreCreditRecord = {
      id: `gid://shopify/StoreCreditAccountCreditTransaction/${this.nextId++}`,
      customerId: ownerId,
      amount: input.creditAmount.amount,
      currencyCode: input.creditAmount.currencyCode,
      createdAt: new Date().toISOString(),
    };
    this.storeCredits.set(`${shop} ${ownerId}`, [...this.credits(shop, ownerId), record]);
    return { storeCreditAccountTransaction: { id: record.id, amount: { amount: record.amount, currencyCode: record.currencyCode } }, userErrors: [] };
  }
}
