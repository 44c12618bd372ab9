// A host value kept current (Shopify's signal-like objects), without bundling @preact/signals:
// the extensions read a few of them, and the 2.8 KB gzipped it costs is a quarter of the budget.
import { useEffect, useState } from "preact/hooks";

export function useSignal<T>(signal: { value: T; subscribe(fn: (value: T) => void): () => void }): T {
  const [value, setValue] = useState(signal.value);
  useEffect(() => signal.subscribe(setValue), [signal]);
  return value;
}
