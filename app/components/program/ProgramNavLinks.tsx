// The program pages in the admin's navigation (App Bridge's NavMenu reads the links it renders).
import { Link } from "@remix-run/react";
import { programMessages } from "~/admin/messages/program";
import { useTranslate } from "~/admin/use-translate";

export function ProgramNavLinks() {
  const t = useTranslate(programMessages);
  return (
    <>
      <Link to="/app/program">{t("navSettings")}</Link>
      <Link to="/app/program/rewards">{t("navRewards")}</Link>
      <Link to="/app/program/tiers">{t("navTiers")}</Link>
    </>
  );
}
