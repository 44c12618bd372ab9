// The frame of a program list page (Rewards, Ways to earn, VIP tiers): the page, back to Program
// settings, with its "Add" action and App Bridge's title bar; and the card that lists rewards or
// custom actions, each with its on/off badge, a line of details, Edit and Turn on/off.
import { TitleBar } from "@shopify/app-bridge-react";
import { Badge, BlockStack, Box, Button, ButtonGroup, Card, EmptyState, InlineStack, Page, Text, type PageProps } from "@shopify/polaris";
import type { ReactNode } from "react";
import { programMessages } from "~/admin/messages/program";
import { useTranslate } from "~/admin/use-translate";

interface PageFrameProps {
  title: string;
  addAction: PageProps["primaryAction"];
  /** The page's Layout. */
  children: ReactNode;
}

export function ProgramListPage({ title, addAction, children }: PageFrameProps) {
  const t = useTranslate(programMessages);
  return (
    <Page title={title} backAction={{ content: t("navSettings"), url: "/app/program" }} primaryAction={addAction}>
      <TitleBar title={title} />
      {children}
    </Page>
  );
}

export interface ProgramListItem {
  id: number;
  title: string;
  enabled: boolean;
  /** Badges after the on/off one. */
  badges?: ReactNode;
  /** One line under the title: kind, points, … */
  details: string;
  editUrl: string;
  onToggle: () => void;
  /** The item's on/off change is being sent. */
  toggling: boolean;
  /** Buttons after Edit and Turn on/off. */
  moreActions?: ReactNode;
}

interface ListProps {
  items: readonly ProgramListItem[];
  /** What an empty list shows instead, with the page's "Add" link. */
  empty: { heading: string; text: string; addAction: { content: string; url: string } };
}

export function ProgramItemList({ items, empty }: ListProps) {
  const t = useTranslate(programMessages);
  return (
    <Card padding="0">
      {items.length === 0 ? (
        <EmptyState heading={empty.heading} action={empty.addAction} image="">
          <p>{empty.text}</p>
        </EmptyState>
      ) : (
        <BlockStack>
          {items.map((item, index) => {
            const toggle = item.enabled ? t("turnOff") : t("turnOn");
            return (
              <Box key={item.id} padding="400" borderBlockStartWidth={index === 0 ? undefined : "025"} borderColor="border">
                <InlineStack align="space-between" blockAlign="center" gap="300" wrap={false}>
                  <BlockStack gap="100">
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="h3" variant="bodyMd" fontWeight="semibold">
                        {item.title}
                      </Text>
                      <Badge tone={item.enabled ? "success" : undefined}>{item.enabled ? t("statusOn") : t("statusOff")}</Badge>
                      {item.badges}
                    </InlineStack>
                    <Text as="p" tone="subdued">
                      {item.details}
                    </Text>
                  </BlockStack>
                  <ButtonGroup>
                    <Button url={item.editUrl} accessibilityLabel={`${t("edit")} ${item.title}`}>
                      {t("edit")}
                    </Button>
                    <Button onClick={item.onToggle} loading={item.toggling} accessibilityLabel={`${toggle} ${item.title}`}>
                      {toggle}
                    </Button>
                    {item.moreActions}
                  </ButtonGroup>
                </InlineStack>
              </Box>
            );
          })}
        </BlockStack>
      )}
    </Card>
  );
}
