import pino from "pino";

// Structured logs; LOG_LEVEL=silent keeps test output quiet.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { app: "tally" },
});
