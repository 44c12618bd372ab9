// Downloads a CSV export from inside the embedded admin. A plain link would open without the
// session token; fetch carries it (App Bridge adds it to the app's own requests), and the file
// is handed to the browser as a download once it has arrived.
import { Button, InlineStack, Text } from "@shopify/polaris";
import { useState } from "react";

export function CsvDownloadButton({ href, fileName, label, busyLabel, failedLabel }: { href: string; fileName: string; label: string; busyLabel: string; failedLabel: string }) {
  const [state, setState] = useState<"idle" | "busy" | "failed">("idle");
  const download = async () => {
    setState("busy");
    try {
      const response = await fetch(href);
      if (!response.ok) throw new Error(`export answered ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const link = Object.assign(document.createElement("a"), { href: url, download: fileName });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState("idle");
    } catch {
      setState("failed");
    }
  };
  return (
    <InlineStack gap="200" blockAlign="center">
      {state === "failed" ? (
        <span role="alert">
          <Text as="span" tone="critical">
            {failedLabel}
          </Text>
        </span>
      ) : null}
      <Button onClick={() => void download()} loading={state === "busy"} accessibilityLabel={state === "busy" ? busyLabel : undefined}>
        {label}
      </Button>
    </InlineStack>
  );
}
