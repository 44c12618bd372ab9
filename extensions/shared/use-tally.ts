// A Tally read with its loading and error states, and a way to try again.
import { useCallback, useEffect, useState } from "preact/hooks";
import { tally, type SessionTokenApi, type TallyError } from "./tally-api";

export type Load<T> = { state: "loading" } | { state: "error"; error: TallyError } | { state: "done"; data: T };

export function useTally<T>(api: SessionTokenApi, path: string | null): [Load<T>, () => void, (data: T) => void] {
  const [load, setLoad] = useState<Load<T>>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    setLoad({ state: "loading" });
    tally<T>(api, path).then(
      (data) => current && setLoad({ state: "done", data }),
      (error: TallyError) => current && setLoad({ state: "error", error }),
    );
    return () => {
      current = false;
    };
  }, [api, path, attempt]);
  return [load, useCallback(() => setAttempt((n) => n + 1), []), useCallback((data: T) => setLoad({ state: "done", data }), [])];
}
