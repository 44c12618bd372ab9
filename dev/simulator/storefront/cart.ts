// Shopify's cart AJAX API, as much of it as the widget uses: POST /cart/update.js merges
// attributes, GET /cart.js reads them, and GET /discount/<code> (a shareable discount link, where
// the widget's "Apply to cart" points) puts a code on the cart. One cart per browser (cookie),
// kept in memory.
import { randomUUID } from "node:crypto";

export interface Cart {
  token: string;
  attributes: Record<string, string>;
  item_count: number;
  items: unknown[];
  /** As the cart AJAX API lists them; this simulator calls every code applicable. */
  discount_codes: { code: string; applicable: boolean }[];
}

export class Carts {
  private readonly carts = new Map<string, Cart>();
  /** Every POST /cart/update.js body, in order, for tests to count. */
  readonly updates: { token: string; attributes: Record<string, string> }[] = [];

  get(token: string | undefined): Cart {
    const key = token && this.carts.has(token) ? token : randomUUID();
    let cart = this.carts.get(key);
    if (!cart) {
      cart = { token: key, attributes: {}, item_count: 0, items: [], discount_codes: [] };
      this.carts.set(key, cart);
    }
    return cart;
  }

  update(token: string | undefined, body: unknown): Cart {
    const cart = this.get(token);
    const attributes = (body as { attributes?: unknown } | null)?.attributes;
    if (attributes && typeof attributes === "object") {
      const strings = Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, String(value ?? "")]));
      Object.assign(cart.attributes, strings);
      this.updates.push({ token: cart.token, attributes: strings });
    }
    return cart;
  }

  applyDiscount(token: string | undefined, code: string): Cart {
    const cart = this.get(token);
    if (code && !cart.discount_codes.some((applied) => applied.code === code)) cart.discount_codes.push({ code, applicable: true });
    return cart;
  }
}
