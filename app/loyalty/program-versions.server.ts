// Saving the program, a reward or a tier: one transaction that changes the settings, bumps the
// shop's programVersion and records the new version (the program as it is now, in force from
// now), so that an order paid before the save still earns under the rules it was placed under.
// Every worker's shop cache compares programVersion before serving (shop-cache.server.ts), so a
// save reaches every process at once, not after a TTL.
import type { Db, Prisma } from "~/db.server";
import { programSchema, type Program } from "./program";
import type { ProgramChange } from "./program-versions";
import { ensureShop } from "./shops.server";
import { inTransaction } from "./transaction.server";

/** The form was loaded before someone else saved: nothing was changed. */
export class StaleProgramError extends Error {
  constructor(readonly currentVersion: number) {
    super("The program was changed since this page was loaded.");
  }
}

export interface ProgramChangeOptions {
  /** The programVersion the merchant's form was loaded at; omitted: whatever is current. */
  expectedVersion?: number;
  change: ProgramChange;
  /** Who saved, e.g. "staff:<user id>" or "admin". */
  actor: string;
  now?: Date;
}

export interface CommittedChange<T> {
  version: number;
  program: Program;
  result: T;
}

/**
 * Runs `apply` on the shop's current program inside one transaction and records the version it
 * leaves. `apply` returns the program to store (unchanged for a reward or tier save) and its own
 * result; throwing inside it rolls the whole save back.
 */
export async function commitProgramChange<T>(
  db: Db,
  shopDomain: string,
  options: ProgramChangeOptions,
  /** `change`: what the version records, when only `apply` knows it (a new reward's id). */
  apply: (tx: Prisma.TransactionClient, program: Program) => Promise<{ program: Program; result: T; change?: ProgramChange }>,
): Promise<CommittedChange<T>> {
  const now = options.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const shop = await ensureShop(tx, shopDomain);
    const { programVersion } = await tx.shop.findUniqueOrThrow({ where: { domain: shopDomain }, select: { programVersion: true } });
    if (options.expectedVersion !== undefined && options.expectedVersion !== programVersion) throw new StaleProgramError(programVersion);

    // The first save also records what it replaces: the tiers as they were before it.
    const first = (await tx.programVersion.count({ where: { shopDomain } })) === 0;
    const tiersBefore = first ? await tiersSnapshot(tx, shopDomain) : null;
    const { program: changed, result, change = options.change } = await apply(tx, shop.program);
    const program = programSchema.parse(changed);
    // Conditional on the version read above: of two saves that read the same version, one matches
    // and the other rolls back (and is reported stale).
    const claimed = await tx.shop.updateMany({
      where: { domain: shopDomain, programVersion },
      data: { program: JSON.stringify(program), programVersion: programVersion + 1, programPublishedHash: null },
    });
    if (claimed.count !== 1) throw new StaleProgramError(programVersion + 1);

    if (first) {
      // The first save: the program it replaces has been in force since the shop began.
      await tx.programVersion.create({ data: { ...versionRow(shopDomain, programVersion, shop.program, 0, "initial", "install"), tiers: tiersBefore } });
    }
    const tiers = await tiersSnapshot(tx, shopDomain);
    await tx.programVersion.create({ data: { ...versionRow(shopDomain, programVersion + 1, program, now.getTime(), change, options.actor), tiers } });
    return { version: programVersion + 1, program, result };
  });
}

/** The shop's tiers as a version records them (JSON). */
async function tiersSnapshot(tx: Prisma.TransactionClient, shopDomain: string): Promise<string> {
  const tiers = await tx.tier.findMany({ where: { shopDomain }, orderBy: { thresholdPoints: "asc" }, select: { id: true, name: true, thresholdPoints: true, multiplierPercent: true } });
  return JSON.stringify(tiers);
}

function versionRow(shopDomain: string, version: number, program: Program, effectiveAtMs: number, change: ProgramChange, actor: string) {
  return {
    shopDomain,
    version,
    program: JSON.stringify(program),
    earnPoints: program.earning.points,
    earnPerMajorUnits: program.earning.perMajorUnits,
    effectiveAtMs: BigInt(effectiveAtMs),
    change,
    actor,
  };
}

export interface ProgramVersionView {
  version: number;
  effectiveAt: string;
  change: string;
  actor: string;
  earning: Program["earning"];
}

/** The shop's versions, newest first (the admin shows the last few). */
export async function programHistory(db: Db, shopDomain: string, take = 20): Promise<ProgramVersionView[]> {
  const rows = await db.programVersion.findMany({ where: { shopDomain }, orderBy: { version: "desc" }, take });
  return rows.map((row) => ({
    version: row.version,
    effectiveAt: new Date(Number(row.effectiveAtMs)).toISOString(),
    change: row.change,
    actor: row.actor,
    earning: { points: row.earnPoints, perMajorUnits: row.earnPerMajorUnits },
  }));
}

/** The shop's current programVersion (what a form carries back, to refuse a save over a newer one). */
export async function currentProgramVersion(db: Db, shopDomain: string): Promise<number> {
  const row = await db.shop.findUnique({ where: { domain: shopDomain }, select: { programVersion: true } });
  return row?.programVersion ?? 1;
}
