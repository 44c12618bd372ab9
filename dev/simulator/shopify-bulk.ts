// Shopify's bulk operations (bulkOperationRunQuery), as far as reconciliation uses them, for the
// stand-ins (dev/simulator/shopify-admin.ts): the bulk query is checked as Shopify checks it
// (valid against the schema, at least one connection and at most five, connections at most two
// levels deep, no connection inside a list field, no top-level node/nodes), run over the shop's
// orders when it is created, and written as Shopify writes the result: JSONL, one object a line,
// each node of a nested connection on a line of its own with `__parentId` (its parent's id),
// after its parent's line but not right after it (all orders first, then their line items), with
// `edges`/`node` wrappers gone. The operation goes CREATED → RUNNING → COMPLETED as it is polled;
// `url` is null when nothing matched.
import {
  executeSync,
  getNamedType,
  getNullableType,
  isListType,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { executeOrderQuery, type SimulatedOrder } from "./shopify-orders";

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED" | "EXPIRED";

export interface BulkOperation {
  id: string;
  shop: string;
  query: string;
  status: BulkStatus;
  createdAt: string;
  completedAt: string | null;
  errorCode: string | null;
  objectCount: number;
  rootObjectCount: number;
  /** The result file's content (JSONL), and where it is served once COMPLETED. */
  jsonl: string;
  fileUrl: string | null;
  /** Polls left before it completes. */
  pollsLeft: number;
  /** It fails instead, with this error code, when it would complete. */
  failWith: string | null;
}

/** Where the stand-in serves result files (Shopify serves them from Google Cloud Storage). */
export const BULK_FILE_ORIGIN = "https://storage.googleapis.com";

/** Shopify's refusals of a bulk query, as `userErrors` messages (null: accepted). */
export function bulkQueryErrors(schema: GraphQLSchema, query: string): string[] {
  let document;
  try {
    document = parse(query);
  } catch (error) {
    return [(error as Error).message];
  }
  const invalid = validate(schema, document).map((error) => error.message);
  if (invalid.length > 0) return invalid;
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.operation !== "query") return ["Bulk queries must be a query operation."];
  const errors = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind === Kind.FIELD && (selection.name.value === "node" || selection.name.value === "nodes")) errors.add("The top-level node and nodes fields can't be used in bulk queries.");
  }
  const typeInfo = new TypeInfo(schema);
  const stack: { connection: boolean; list: boolean }[] = [];
  let connections = 0;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter() {
          const type = typeInfo.getType();
          const connection = type !== null && type !== undefined && (getNamedType(type)?.name.endsWith("Connection") ?? false);
          // A connection's own edges and nodes are lists that bulk queries are made of.
          const ofConnection = typeInfo.getParentType()?.name.endsWith("Connection") ?? false;
          const list = !ofConnection && type !== null && type !== undefined && isListType(getNullableType(type));
          if (connection) {
            connections++;
            if (stack.filter((entry) => entry.connection).length >= 2) errors.add("Bulk queries cannot contain connections with a nesting depth greater than 2.");
            if (stack.some((entry) => entry.list)) errors.add("Queries that contain a connection field within a list field are not currently supported.");
          }
          stack.push({ connection, list });
        },
        leave() {
          stack.pop();
        },
      },
    }),
  );
  if (connections === 0) errors.add("Bulk queries must contain at least one connection.");
  if (connections > 5) errors.add("Bulk queries cannot contain more than 5 connections.");
  return [...errors];
}

const isConnection = (value: unknown): value is { edges: { node: Record<string, unknown> }[] } | { nodes: Record<string, unknown>[] } =>
  typeof value === "object" && value !== null && !Array.isArray(value) && (Array.isArray((value as { edges?: unknown }).edges) || Array.isArray((value as { nodes?: unknown }).nodes));

const nodesOf = (value: { edges: { node: Record<string, unknown> }[] } | { nodes: Record<string, unknown>[] }) => ("edges" in value ? value.edges.map((edge) => edge.node) : value.nodes);

/** The query's result as Shopify's JSONL: roots first, then each level of nested connection nodes. */
export function bulkJsonl(data: Record<string, unknown>): { jsonl: string; objects: number; roots: number } {
  const lines: string[] = [];
  let level: { node: Record<string, unknown>; parentId: string | null }[] = [];
  for (const value of Object.values(data)) if (isConnection(value)) level.push(...nodesOf(value).map((node) => ({ node, parentId: null })));
  const roots = level.length;
  while (level.length > 0) {
    const next: typeof level = [];
    for (const { node, parentId } of level) {
      const line: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        if (isConnection(value)) next.push(...nodesOf(value).map((child) => ({ node: child, parentId: String(node.id) })));
        else line[key] = value;
      }
      if (parentId !== null) line.__parentId = parentId;
      lines.push(JSON.stringify(line));
    }
    level = next;
  }
  return { jsonl: lines.map((line) => `${line}\n`).join(""), objects: lines.length, roots };
}

/** Runs the bulk query over the shop's orders, as Shopify does when the operation runs. */
export function runBulkQuery(schema: GraphQLSchema, orders: readonly SimulatedOrder[], query: string) {
  return bulkJsonl(executeOrderQuery(schema, orders, query, {}) as Record<string, unknown>);
}

/** The operation as `bulkOperation(id:)` serves it (graphql-js picks the selected fields). */
export function bulkOperationNode(operation: BulkOperation) {
  return {
    __typename: "BulkOperation",
    id: operation.id,
    status: operation.status,
    type: "QUERY",
    query: operation.query,
    createdAt: operation.createdAt,
    completedAt: operation.completedAt,
    errorCode: operation.errorCode,
    objectCount: String(operation.status === "COMPLETED" ? operation.objectCount : 0),
    rootObjectCount: String(operation.status === "COMPLETED" ? operation.rootObjectCount : 0),
    fileSize: operation.status === "COMPLETED" && operation.fileUrl ? String(Buffer.byteLength(operation.jsonl)) : null,
    url: operation.status === "COMPLETED" ? operation.fileUrl : null,
    partialDataUrl: null,
  };
}

/** Runs a document over a root value (bulk operation mutation and status queries). */
export function executeWithRoot(schema: GraphQLSchema, query: string, variables: Record<string, unknown>, rootValue: Record<string, unknown>): unknown {
  const result = executeSync({ schema, document: parse(query), rootValue, variableValues: variables });
  if (result.errors?.length) throw new Error(`the bulk operation stand-in failed: ${result.errors.map((error) => error.message).join("; ")}`);
  return result.data;
}
