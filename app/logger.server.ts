import pino from "pino";
import { runtimeEnv } from "./runtime-env.server";

// Structured logs; LOG_LEVEL=silent keeps test output quiet.
export const logger = pino({
  level: runtimeEnv.logLevel,
  base: { app: "tally" },
});
