import { describe, expect, it } from "vitest";
import { adminLocale, defineCatalog, translator } from "~/admin/i18n";

const catalog = defineCatalog({
  en: { earns: "An order of {amount} earns {points} points" },
  de: { earns: "Eine Bestellung über {amount} bringt {points} Punkte" },
  es: { earns: "Un pedido de {amount} otorga {points} puntos" },
  fr: { earns: "Une commande de {amount} rapporte {points} points" },
  it: { earns: "Un ordine di {amount} fa guadagnare {points} punti" },
  nl: { earns: "Een bestelling van {amount} levert {points} punten op" },
});

describe("admin languages", () => {
  it("takes Shopify's locale parameter first, then Accept-Language, then English", () => {
    expect(adminLocale(new Request("https://tally.test/app?locale=de-CH", { headers: { "accept-language": "fr" } }))).toBe("de");
    expect(adminLocale(new Request("https://tally.test/app?locale=ja", { headers: { "accept-language": "ja, nl;q=0.8" } }))).toBe("nl");
    expect(adminLocale(new Request("https://tally.test/app", { headers: { "accept-language": "pt-BR" } }))).toBe("en");
  });

  it("fills values and formats numbers for the language", () => {
    expect(translator(catalog, "de")("earns", { amount: "57,60 €", points: 1057 })).toBe("Eine Bestellung über 57,60 € bringt 1.057 Punkte");
    expect(translator(catalog, "en")("earns", { amount: "$57.60", points: 1057 })).toBe("An order of $57.60 earns 1,057 points");
  });

  it("leaves a placeholder without a value visible rather than printing undefined", () => {
    expect(translator(catalog, "fr")("earns", { amount: "10,00 €" })).toBe("Une commande de 10,00 € rapporte {points} points");
  });
});
