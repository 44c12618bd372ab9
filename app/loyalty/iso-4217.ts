// ISO 4217 minor units: how many decimals an amount in each currency has. Display formatting
// (Intl) is no guide: it shows HUF, IDR, COP, PKR, IQD and others without decimals, while the
// standard, and Shopify's amounts ("2490.00"), have two (IQD three).
//
// Source: ISO 4217 List One ("Current currency & funds code list", column CcyMnrUnts) as
// published by SIX Financial Information, the maintenance agency, list dated 2024-06-25. Codes
// whose minor unit is "N.A." (precious metals, SDR, test and no-currency codes) are left out.
// Added by hand: XCG (Caribbean guilder, 2 decimals, in circulation since 2025-03-31), and codes
// withdrawn to List Three that a shop may still trade in (BYR, HRK, MRO, SLL, STD, VEF, ZWL).
// A checked-in table rather than an npm package: the one maintained package with this data
// (currency-codes) pulls in two unmaintained helper packages and country lists for one number a code.

const BY_MINOR_UNITS: Record<number, string> = {
  0: "BIF BYR CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
  2:
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD " +
    "CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL " +
    "GHS GIP GMD GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD " +
    "LSL MAD MDL MGA MKD MMK MNT MOP MRO MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN " +
    "PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STD STN SVC SYP SZL THB " +
    "TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VEF VES WST XCD XCG YER ZAR ZMW ZWG ZWL",
  3: "BHD IQD JOD KWD LYD OMR TND",
  4: "CLF UYW",
};

/** ISO 4217 code → minor units (decimals). */
export const ISO_4217_MINOR_UNITS: ReadonlyMap<string, number> = new Map(
  Object.entries(BY_MINOR_UNITS).flatMap(([digits, codes]) => codes.split(" ").map((code) => [code, Number(digits)] as const)),
);
