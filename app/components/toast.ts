// The admin's toast (App Bridge's shopify.toast). Looked up when shown, not while rendering: a
// page whose App Bridge did not load still renders, it only shows no toast.
export function showToast(message: string, options: { isError?: boolean } = {}): void {
  const shopify = (globalThis as { shopify?: { toast?: { show(message: string, options?: { isError?: boolean }): unknown } } }).shopify;
  shopify?.toast?.show(message, options);
}
