// The VIP tiers page's entry perks (bonus points and a reward on reaching a tier) in every admin
// language; the rest of the page reads the program catalog (program.ts).
import { defineCatalog } from "../i18n";

export const tierMessages = defineCatalog({
  en: {
    entryPerksHeading: "On reaching this tier",
    entryBonusPoints: "Entry bonus (points)",
    entryBonusHelp: "Given once per period on reaching the tier; 0 for none.",
    entryReward: "Entry reward",
    entryRewardNone: "None",
    entryRewardHelp: "Issued free of points once per period on reaching the tier.",
  },
  de: {
    entryPerksHeading: "Beim Erreichen dieser Stufe",
    entryBonusPoints: "Aufstiegsbonus (Punkte)",
    entryBonusHelp: "Einmal pro Zeitraum beim Erreichen der Stufe; 0 für keinen.",
    entryReward: "Aufstiegsprämie",
    entryRewardNone: "Keine",
    entryRewardHelp: "Einmal pro Zeitraum beim Erreichen der Stufe ohne Punkte ausgegeben.",
  },
  es: {
    entryPerksHeading: "Al alcanzar este nivel",
    entryBonusPoints: "Bono de entrada (puntos)",
    entryBonusHelp: "Se da una vez por periodo al alcanzar el nivel; 0 para ninguno.",
    entryReward: "Recompensa de entrada",
    entryRewardNone: "Ninguna",
    entryRewardHelp: "Se emite sin coste en puntos una vez por periodo al alcanzar el nivel.",
  },
  fr: {
    entryPerksHeading: "En atteignant ce niveau",
    entryBonusPoints: "Bonus d'entrée (points)",
    entryBonusHelp: "Accordé une fois par période en atteignant le niveau ; 0 pour aucun.",
    entryReward: "Récompense d'entrée",
    entryRewardNone: "Aucune",
    entryRewardHelp: "Émise sans points une fois par période en atteignant le niveau.",
  },
  it: {
    entryPerksHeading: "Al raggiungimento di questo livello",
    entryBonusPoints: "Bonus di ingresso (punti)",
    entryBonusHelp: "Dato una volta per periodo al raggiungimento del livello; 0 per nessuno.",
    entryReward: "Premio di ingresso",
    entryRewardNone: "Nessuno",
    entryRewardHelp: "Emesso senza punti una volta per periodo al raggiungimento del livello.",
  },
  nl: {
    entryPerksHeading: "Bij het bereiken van dit niveau",
    entryBonusPoints: "Instapbonus (punten)",
    entryBonusHelp: "Eén keer per periode bij het bereiken van het niveau; 0 voor geen.",
    entryReward: "Instapbeloning",
    entryRewardNone: "Geen",
    entryRewardHelp: "Eén keer per periode zonder punten uitgegeven bij het bereiken van het niveau.",
  },
});

export type TierMessageKey = keyof typeof tierMessages.en;
