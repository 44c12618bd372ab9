// Prisma CLI configuration. DATABASE_URL picks the database (app/database-url.ts): the SQLite
// schema and its migrations for `file:` URLs, the generated PostgreSQL schema otherwise.
// The CLI talks to the database through the same driver adapters as the app, so no engine
// binary is ever downloaded (the two variables below make Prisma skip the download check).
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseTarget } from "./app/database-url";

process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= import.meta.filename;
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= import.meta.filename;

const target = databaseTarget();
// The schema names env("DATABASE_URL"); the adapter below is what actually connects.
process.env.DATABASE_URL = target.url;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: target.provider === "sqlite" ? "prisma/schema.prisma" : "prisma/postgres/schema.prisma",
  adapter: async () =>
    target.provider === "sqlite"
      ? new PrismaBetterSQLite3({ url: target.filePath })
      : migrationSafePg(new PrismaPg({ connectionString: target.url })),
});

// Prisma issue #27403: `migrate deploy` through adapter-pg reads catalog columns of type `name`
// (OID 19), which the adapter cannot deserialise. They are plain text, so report them as `text`.
function migrationSafePg(factory: PrismaPg): PrismaPg {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const queryable = Object.getPrototypeOf(Object.getPrototypeOf(adapter)) as {
      performIO: (query: unknown) => Promise<{ fields: { dataTypeID: number }[] }>;
      __nameAsText?: boolean;
    };
    if (!queryable.__nameAsText) {
      const performIO = queryable.performIO;
      queryable.performIO = async function (this: unknown, query: unknown) {
        const result = await performIO.call(this, query);
        result.fields = result.fields.map((field) =>
          field.dataTypeID === 19 ? { ...field, dataTypeID: 25 } : field,
        );
        return result;
      };
      queryable.__nameAsText = true;
    }
    return adapter;
  };
  return factory;
}
