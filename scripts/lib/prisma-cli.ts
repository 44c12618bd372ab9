import { createRequire } from "node:module";

// The Prisma CLI's entry, run with the project's Node (npm scripts put Node 24 first on PATH).
export const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
