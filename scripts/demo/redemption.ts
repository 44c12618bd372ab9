// The demo's redemption: Ada spends 500 points on the shop's default reward through the app proxy
// (POST /apps/tally/redeem, signed as Shopify's proxy signs it). The app takes the points and asks
// Shopify's Admin API for a discount code, which the local stand-in answers
// (dev/simulator/admin-api-stand-in.ts). Printed: the code, her balance before and after, and
// what Shopify holds; checked: the answer, the balance, Shopify's copy of the code, the ledger.
import type { Db } from "../../app/db.server";
import { proxyPath, storefrontProxyPrefix } from "../../dev/simulator/app-config";
import type { AdminApiStandIn } from "../../dev/simulator/app-server";
import { signedProxyQuery } from "../../dev/simulator/shopify-signing";
import type { Check } from "./report";
import { DEMO_REWARD_COST, fullName, type DemoCustomer } from "./scenario";

interface RedemptionView {
  id: number;
  title: string;
  status: string;
  code: string | null;
  amount: string | null;
  currency: string | null;
  pointsSpent: number;
}

interface RedeemAnswer {
  redemption?: RedemptionView;
  member?: { balance: number };
  error?: { code: string; message: string };
}

export interface DemoRedemptionOptions {
  baseUrl: string;
  shop: string;
  secret: string;
  customer: DemoCustomer;
  /** Her balance as the report expects it before redeeming. */
  expectedBalance: number;
  adminApi: AdminApiStandIn;
  withDatabase: <T>(work: (db: Db) => Promise<T>) => Promise<T>;
}

export interface DemoRedemptionResult {
  checks: Check[];
  /** The points the redemption spent: the reward's cost, or 0 when nothing was redeemed. */
  spent: number;
}

export async function demoRedemption(options: DemoRedemptionOptions): Promise<DemoRedemptionResult> {
  const { customer, baseUrl } = options;
  const name = fullName(customer);
  const signed = () => signedProxyQuery(storefrontProxyPrefix(), { shop: options.shop, customerId: customer.id, secret: options.secret });
  console.log(`\nA redemption: ${name} spends ${DEMO_REWARD_COST} points through the app proxy; the app asks Shopify's Admin API for the code`);
  console.log("(Shopify's Admin API is stood in for locally, inside the server: dev/simulator/admin-api-stand-in.ts)");

  const program = (await (await fetch(`${baseUrl}${proxyPath("program")}?${signed()}`)).json()) as { program: { rewards: { id: number; title: string; costPoints: number }[] } };
  const reward = program.program.rewards.find((candidate) => candidate.costPoints === DEMO_REWARD_COST);
  if (!reward) return { checks: [{ ok: false, label: `the shop offers no ${DEMO_REWARD_COST}-point reward to redeem` }], spent: 0 };
  const before = await balance(baseUrl, signed());
  if (before < DEMO_REWARD_COST) {
    // Earlier runs' (or the storefront's) redemptions spent her points: nothing to show this time.
    console.log(
      `  ${name} has ${before} points, fewer than the ${DEMO_REWARD_COST} "${reward.title}" costs: earlier runs or the storefront spent them. ` +
        "`npm run demo -- --reset` starts the demo shop afresh.",
    );
    return { checks: [], spent: 0 };
  }

  const url = `${baseUrl}${proxyPath("redeem")}?${signed()}`;
  const body = JSON.stringify({ rewardId: reward.id });
  console.log(`  POST ${url}\n       ${body}`);
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const elapsedMs = performance.now() - started;
  const answer = (await response.json().catch(() => ({}))) as RedeemAnswer;
  const redemption = answer.redemption;
  if (response.status !== 200 || !redemption?.code) {
    console.log(`  → ${response.status} ${JSON.stringify(answer)}`);
    return {
      checks: [{ ok: false, label: `${name}'s redemption answered ${response.status} ${answer.error?.code ?? ""}, not 200 with a code`.trimEnd() }],
      spent: response.status === 202 ? DEMO_REWARD_COST : 0,
    };
  }
  const after = await balance(baseUrl, signed());
  console.log(`  → ${response.status} in ${elapsedMs.toFixed(0)} ms: ${redemption.status}, "${redemption.title}", code ${redemption.code}`);
  console.log(`  ${name}'s balance: ${before} before, ${after} after (the answer says ${answer.member?.balance})`);

  const held = (await options.adminApi.state(options.shop)).discounts.find((discount) => discount.code === redemption.code);
  const customerGid = `gid://shopify/Customer/${customer.id}`;
  console.log(
    held
      ? `  Shopify (the stand-in) holds ${held.code}: ${held.amount} ${redemption.currency ?? ""} off, for ${held.customers.join(", ")} only, ${held.usageLimit === 1 ? "usable once" : `usable ${held.usageLimit ?? "any number of"} times`}`
      : `  Shopify (the stand-in) holds no code ${redemption.code}`,
  );

  const ledger = await options.withDatabase(async (db) => {
    const member = await db.member.findFirstOrThrow({ where: { shopDomain: options.shop, customerId: BigInt(customer.id) } });
    const rows = await db.ledgerEntry.findMany({ where: { memberId: member.id }, select: { delta: true, idempotencyKey: true } });
    return {
      balance: Number(member.balance),
      sum: rows.reduce((total, row) => total + Number(row.delta), 0),
      redeemRow: rows.find((row) => row.idempotencyKey === `redemption:${redemption.id}:redeem`),
    };
  });

  return {
    spent: DEMO_REWARD_COST,
    checks: [
      {
        ok: redemption.status === "issued" && redemption.pointsSpent === DEMO_REWARD_COST,
        label: `${name} redeemed "${reward.title}" through the app proxy: 200, issued, code ${redemption.code}`,
      },
      {
        ok: before === options.expectedBalance && after === before - DEMO_REWARD_COST && answer.member?.balance === after,
        label: `${name}'s balance went from ${before} to ${after} (−${DEMO_REWARD_COST})`,
      },
      {
        ok: held !== undefined && held.amount === redemption.amount && held.customers.length === 1 && held.customers[0] === customerGid && held.usageLimit === 1,
        label: `Shopify (the local stand-in) holds the code ${redemption.code}: ${redemption.amount} off, for ${name} only, once`,
      },
      {
        ok: ledger.redeemRow !== undefined && Number(ledger.redeemRow.delta) === -DEMO_REWARD_COST && ledger.sum === ledger.balance && ledger.balance === after,
        label: `the ledger holds the redemption's −${DEMO_REWARD_COST} (redemption:${redemption.id}:redeem), and ${name}'s balance equals its sum`,
      },
    ],
  };
}

async function balance(baseUrl: string, query: URLSearchParams): Promise<number> {
  const body = (await (await fetch(`${baseUrl}${proxyPath("customer")}?${query}`)).json()) as { member: { balance: number } | null };
  if (!body.member) throw new Error("the app proxy answered no member for a signed-in customer");
  return body.member.balance;
}
