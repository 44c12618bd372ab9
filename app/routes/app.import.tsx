// Points import from a CSV file: a dry run (what would happen, nothing written) or the import,
// which runs as a background job (app/jobs/member-import-jobs.server.ts) while this page polls
// its progress.
import {
  json,
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, List, Page, ProgressBar, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useEffect, useRef } from "react";
import { importMessages } from "~/admin/messages/import";
import { useTranslate } from "~/admin/use-translate";
import db from "~/db.server";
import { requestJob } from "~/jobs/job-store.server";
import { MEMBER_IMPORT } from "~/jobs/member-import-jobs.server";
import { MAX_IMPORT_BYTES, parseImport } from "~/loyalty/csv-import";
import { createImport, importJobKey, previewImport, type ImportError, type ImportPreview } from "~/loyalty/csv-import.server";
import { authenticate } from "~/shopify.server";
import { staffActor } from "~/shopify/staff-member.server";

const POLL_MS = 1000;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const imports = await db.memberImport.findMany({
    where: { shopDomain: session.shop },
    orderBy: { id: "desc" },
    take: 5,
    select: {
      id: true,
      fileName: true,
      layout: true,
      status: true,
      totalRows: true,
      processedRows: true,
      importedRows: true,
      pointsImported: true,
      skippedRows: true,
      errorRows: true,
      errors: true,
      createdAt: true,
    },
  });
  return {
    imports: imports.map((run) => ({ ...run, pointsImported: Number(run.pointsImported), errors: JSON.parse(run.errors) as ImportError[], createdAt: run.createdAt.toISOString() })),
  };
};

type FileProblem = "no_file" | "empty" | "too_large" | "too_many_rows" | "unreadable" | "unknown_layout";
type ActionResult = { ok: false; problem: FileProblem } | { ok: true; preview: ImportPreview } | { ok: true; started: number };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, sessionToken } = await authenticate.admin(request);
  // Refused before reading when the body says it is too large; the upload handler caps the rest.
  if (Number(request.headers.get("content-length") ?? 0) > MAX_IMPORT_BYTES + 64 * 1024) return json<ActionResult>({ ok: false, problem: "too_large" }, { status: 413 });
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: MAX_IMPORT_BYTES }));
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return json<ActionResult>({ ok: false, problem: "too_large" }, { status: 413 });
    return json<ActionResult>({ ok: false, problem: "no_file" }, { status: 400 });
  }
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0) return json<ActionResult>({ ok: false, problem: file instanceof File ? "empty" : "no_file" }, { status: 400 });
  const content = await file.text();
  const parsed = parseImport(content);
  if (!parsed.ok) return json<ActionResult>({ ok: false, problem: parsed.problem }, { status: 400 });
  if (form.get("intent") !== "import") return json<ActionResult>({ ok: true, preview: await previewImport(db, session.shop, parsed) });
  const created = await createImport(db, session.shop, { fileName: file.name || "import.csv", content, parsed, actor: await staffActor(db, session.shop, sessionToken) });
  await requestJob(db, { key: importJobKey(created.id), name: MEMBER_IMPORT, shopDomain: session.shop });
  return json<ActionResult>({ ok: true, started: created.id });
};

export default function ImportPoints() {
  const { imports } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const t = useTranslate(importMessages);
  const running = imports.some((run) => run.status === "running");
  // Progress while an import runs: the loader is read again every second.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [running, revalidator]);
  const busy = navigation.state === "submitting";
  const intent = useRef<HTMLInputElement>(null);
  const rowErrors = (errors: ImportError[]) => (
    <List>
      {errors.map((error) => (
        <List.Item key={`${error.row}-${error.problem}`}>{t("rowError", { row: error.row, message: t(error.problem) })}</List.Item>
      ))}
    </List>
  );

  return (
    <Page title={t("title")} backAction={{ content: t("back"), url: "/app/members" }}>
      <TitleBar title={t("title")} />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="p">{t("intro")}</Text>
              <Text as="p" tone="subdued">
                {t("layouts")}
              </Text>
              {result && !result.ok ? <Banner tone="critical">{t(result.problem)}</Banner> : null}
              {result && result.ok && "started" in result ? <Banner tone="info">{t("started")}</Banner> : null}
              <Form method="post" encType="multipart/form-data">
                <BlockStack gap="300">
                  <label htmlFor="import-file">
                    <Text as="span" variant="bodyMd">
                      {t("fileLabel")}
                    </Text>
                  </label>
                  <input id="import-file" type="file" name="file" accept=".csv,text/csv" />
                  {/* Which button was pressed: set before the form is read (Polaris buttons carry no name). */}
                  <input ref={intent} type="hidden" name="intent" defaultValue="preview" />
                  <InlineStack gap="200">
                    <Button submit onClick={() => void (intent.current && (intent.current.value = "preview"))} disabled={busy}>
                      {t("dryRun")}
                    </Button>
                    <Button submit onClick={() => void (intent.current && (intent.current.value = "import"))} variant="primary" disabled={busy}>
                      {t("startImport")}
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Form>
            </BlockStack>
          </Card>
        </Layout.Section>
        {result && result.ok && "preview" in result ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("previewTitle")}
                </Text>
                <Text as="p">{t("layoutName", { layout: result.preview.layout })}</Text>
                <Text as="p">{t("rows", { count: result.preview.totalRows })}</Text>
                <Text as="p">{t("toImport", { count: result.preview.toImport, points: result.preview.pointsToImport })}</Text>
                <Text as="p">{t("toLookUp", { count: result.preview.toLookUp, points: result.preview.pointsToLookUp })}</Text>
                <Text as="p">{t("alreadyImported", { count: result.preview.alreadyImported })}</Text>
                <Text as="p">{t("errorCount", { count: result.preview.errorCount })}</Text>
                {rowErrors(result.preview.errors)}
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("importsTitle")}
              </Text>
              {imports.length === 0 ? <Text as="p">{t("noImports")}</Text> : null}
              {imports.map((run) => (
                <BlockStack gap="150" key={run.id}>
                  <Text as="h3" variant="headingSm">
                    {run.fileName} · {run.layout} · {t(`status_${run.status as "running" | "done" | "failed"}`)}
                  </Text>
                  <ProgressBar progress={run.totalRows === 0 ? 100 : Math.round((100 * run.processedRows) / run.totalRows)} size="small" ariaLabelledBy={`import-${run.id}-progress`} />
                  <Text as="p" id={`import-${run.id}-progress`}>
                    {t("progress", { processed: run.processedRows, total: run.totalRows })}
                  </Text>
                  <Text as="p">{t("summary", { imported: run.importedRows, points: run.pointsImported, skipped: run.skippedRows, errors: run.errorRows })}</Text>
                  {run.errors.length > 0 ? rowErrors(run.errors) : null}
                </BlockStack>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
