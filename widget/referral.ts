// A referral link (?ref=CODE) is remembered in first-party storage and carried to the order as a
// cart attribute, so the app can credit the referrer when the friend's order is paid. The cart is
// updated once per code: again only when a different code arrives.

export const REFERRAL_CODE = /^[A-Z2-9]{6,12}$/i;
export const CART_ATTRIBUTE = "tally_referral";
export const STORED_CODE_KEY = "tally:referral";
export const SENT_CODE_KEY = "tally:referral-sent";

/** The valid referral code in a query string, upper-cased, or null. */
export function referralCodeFrom(search: string): string | null {
  const code = new URLSearchParams(search).get("ref");
  return code && REFERRAL_CODE.test(code) ? code.toUpperCase() : null;
}

export async function captureReferral(
  search: string,
  cartUpdateUrl: string,
  storage: Pick<Storage, "getItem" | "setItem">,
  send: typeof fetch,
): Promise<void> {
  try {
    const fromUrl = referralCodeFrom(search);
    if (fromUrl) storage.setItem(STORED_CODE_KEY, fromUrl);
    const code = storage.getItem(STORED_CODE_KEY);
    if (!code || !REFERRAL_CODE.test(code) || storage.getItem(SENT_CODE_KEY) === code) return;
    const response = await send(cartUpdateUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ attributes: { [CART_ATTRIBUTE]: code } }),
    });
    if (response.ok) storage.setItem(SENT_CODE_KEY, code);
  } catch {
    // Storage blocked (private mode, cookies off) or the cart unreachable: the page goes on.
  }
}
