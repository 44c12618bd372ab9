// What the storefront knows from the app: the program and the customer's points, read through the
// app's proxy endpoints (signed as Shopify signs them) and shaped as the metafields the app will
// keep current ("$app:tally".summary on the customer, "$app:tally".program on the shop).
import { summaryFromMember, type CustomerResponse, type CustomerSummary, type ProgramResponse, type PublicProgram } from "../../../widget/contract";
import { proxyPath, storefrontProxyPrefix } from "../app-config";
import { signedProxyQuery } from "../shopify-signing";

export interface AppConnection {
  appUrl: string;
  apiSecret: string;
  shop: string;
}

export interface CustomerMetafields {
  summary: CustomerSummary;
  firstName: string | null;
}

async function proxyJson<T>(app: AppConnection, endpoint: string, customerId: number | null): Promise<T> {
  const query = signedProxyQuery(storefrontProxyPrefix(), { shop: app.shop, customerId, secret: app.apiSecret });
  const response = await fetch(`${app.appUrl}${proxyPath(endpoint)}?${query}`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${proxyPath(endpoint)} answered ${response.status}`);
  return (await response.json()) as T;
}

export async function programMetafield(app: AppConnection): Promise<PublicProgram> {
  return (await proxyJson<ProgramResponse>(app, "program", null)).program;
}

export async function customerMetafields(app: AppConnection, customerId: number): Promise<CustomerMetafields | null> {
  const { member } = await proxyJson<CustomerResponse>(app, "customer", customerId);
  return member ? { summary: summaryFromMember(member, new Date()), firstName: member.firstName } : null;
}
