// The verify report as text, for the CLI (and anyone reading logs).
import type { VerifyReport } from "./verify.server";

export function formatVerifyReport(report: VerifyReport, shop: string | null): string {
  const { checked, counts } = report;
  const lines = [
    `verify ${shop ?? "all shops"}: ${report.ok ? "OK, every number agrees with the ledger" : "MISMATCHES FOUND"}`,
    `  checked  ${checked.shops.toLocaleString("en")} shops, ${checked.members.toLocaleString("en")} members, ${checked.entries.toLocaleString("en")} ledger entries, ` +
      `${checked.orders.toLocaleString("en")} orders, ${checked.redemptions.toLocaleString("en")} redemptions in ${(report.ms / 1000).toFixed(2)} s`,
    `  mismatches  members ${counts.members}, orders ${counts.orders}, redemptions ${counts.redemptions}, duplicate keys ${counts.duplicateKeys}`,
  ];
  if (report.mismatches.length > 0) {
    lines.push("  first mismatches:");
    for (const mismatch of report.mismatches) lines.push(`    [${mismatch.kind}] ${mismatch.shop}: ${mismatch.detail}`);
  }
  return lines.join("\n");
}
