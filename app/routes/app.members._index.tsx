// The members index: server-side search (email, name or customer id), a tier filter, sort by
// balance or last activity, keyset pages (app/loyalty/member-search*.ts). The state lives in the
// URL, so a page is a link and the back button works.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams, useSubmit } from "@remix-run/react";
import { BlockStack, Button, Card, IndexTable, InlineStack, Page, Select, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { useAdminLocale, useTranslate } from "~/admin/use-translate";
import { membersMessages } from "~/admin/messages/members";
import db from "~/db.server";
import { encodeCursor, memberIndexQuery, MEMBER_SORTS } from "~/loyalty/member-search";
import { findMembers } from "~/loyalty/member-search.server";
import { authenticate } from "~/shopify.server";
import { sql } from "~/sql.server";
import { CsvDownloadButton } from "~/components/CsvDownloadButton";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const query = memberIndexQuery(new URL(request.url).searchParams);
  const [page, tiers] = await Promise.all([
    findMembers(sql(), session.shop, query),
    db.tier.findMany({ where: { shopDomain: session.shop }, select: { id: true, name: true }, orderBy: { thresholdPoints: "asc" } }),
  ]);
  return {
    members: page.members.map((member) => ({ ...member, customerId: String(member.customerId) })),
    next: page.next ? encodeCursor(page.next) : null,
    isFirstPage: query.after === null,
    tiers,
  };
};

const SORT_LABELS = { balance_desc: "sortBalanceDesc", balance_asc: "sortBalanceAsc", activity_desc: "sortActivityDesc", activity_asc: "sortActivityAsc" } as const;

export default function MembersIndex() {
  const { members, next, isFirstPage, tiers } = useLoaderData<typeof loader>();
  const t = useTranslate(membersMessages);
  const locale = useAdminLocale();
  const [params] = useSearchParams();
  const submit = useSubmit();
  const [search, setSearch] = useState(params.get("q") ?? "");
  const tierName = new Map(tiers.map((tier) => [tier.id, tier.name]));
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
  const numbers = new Intl.NumberFormat(locale);

  // Changing a filter starts again at the first page, keeping the other filters.
  const withParam = (name: string, value: string) => {
    const nextParams = new URLSearchParams(params);
    nextParams.delete("after");
    if (value) nextParams.set(name, value);
    else nextParams.delete(name);
    return nextParams;
  };
  const pageLink = (after: string | null) => {
    const nextParams = new URLSearchParams(params);
    if (after) nextParams.set("after", after);
    else nextParams.delete("after");
    return `?${nextParams.toString()}`;
  };

  return (
    <Page title={t("title")} primaryAction={{ content: t("importPoints"), url: "/app/import" }}>
      <TitleBar title={t("title")} />
      <BlockStack gap="400">
        <Card>
          <BlockStack gap="300">
            <Form method="get" role="search">
              <InlineStack gap="200" blockAlign="end" wrap={false}>
                <div style={{ flexGrow: 1 }}>
                  <TextField
                    label={t("searchLabel")}
                    name="q"
                    value={search}
                    onChange={setSearch}
                    placeholder={t("searchPlaceholder")}
                    autoComplete="off"
                    clearButton
                    onClearButtonClick={() => setSearch("")}
                  />
                </div>
                {params.get("tier") ? <input type="hidden" name="tier" value={params.get("tier") ?? ""} /> : null}
                {params.get("sort") ? <input type="hidden" name="sort" value={params.get("sort") ?? ""} /> : null}
                <Button submit>{t("search")}</Button>
              </InlineStack>
            </Form>
            <InlineStack gap="300">
              <Select
                label={t("tierLabel")}
                value={params.get("tier") ?? ""}
                options={[{ label: t("anyTier"), value: "" }, { label: t("noTier"), value: "none" }, ...tiers.map((tier) => ({ label: tier.name, value: String(tier.id) }))]}
                onChange={(value) => submit(withParam("tier", value), { method: "get" })}
              />
              <Select
                label={t("sortLabel")}
                value={params.get("sort") ?? "balance_desc"}
                options={MEMBER_SORTS.map((sort) => ({ label: t(SORT_LABELS[sort]), value: sort }))}
                onChange={(value) => submit(withParam("sort", value), { method: "get" })}
              />
            </InlineStack>
          </BlockStack>
        </Card>
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: t("customer"), plural: t("title") }}
            itemCount={members.length}
            selectable={false}
            emptyState={
              <div style={{ padding: "16px" }}>
                <Text as="p">{t("noMembers")}</Text>
              </div>
            }
            headings={[{ title: t("customer") }, { title: t("email") }, { title: t("balance"), alignment: "end" }, { title: t("tier") }, { title: t("lastActivity") }]}
          >
            {members.map((member, index) => {
              const name = [member.firstName, member.lastName].filter(Boolean).join(" ") || t("unnamed", { id: member.customerId });
              return (
                <IndexTable.Row id={String(member.id)} key={member.id} position={index}>
                  <IndexTable.Cell>
                    <Link to={`/app/members/${member.id}`}>{name}</Link>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{member.email ?? ""}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {numbers.format(member.balance)}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{member.tierId === null ? "" : (tierName.get(member.tierId) ?? "")}</IndexTable.Cell>
                  <IndexTable.Cell>{member.lastActivityMs > 0 ? dates.format(new Date(member.lastActivityMs)) : ""}</IndexTable.Cell>
                </IndexTable.Row>
              );
            })}
          </IndexTable>
        </Card>
        <InlineStack gap="300" align="space-between">
          <InlineStack gap="200">
            {isFirstPage ? null : <Button url={pageLink(null)}>{t("firstPage")}</Button>}
            {next ? <Button url={pageLink(next)}>{t("nextPage")}</Button> : null}
          </InlineStack>
          <InlineStack gap="200">
            <CsvDownloadButton href="/app/export/members" fileName="tally-members.csv" label={t("exportMembers")} busyLabel={t("exporting")} failedLabel={t("exportFailed")} />
            <CsvDownloadButton href="/app/export/ledger" fileName="tally-ledger.csv" label={t("exportLedger")} busyLabel={t("exporting")} failedLabel={t("exportFailed")} />
          </InlineStack>
        </InlineStack>
      </BlockStack>
    </Page>
  );
}
