// Fresh data from the app proxy, fetched at most once per page (again only on retry) and
// shared by every widget root. A failure or a timeout is reported, never thrown at the page.
import type { WidgetConfig } from "./config";
import type { CustomerResponse, ProgramResponse, PublicProgram, ShownMember } from "./contract";

export type LoadState =
  | { status: "loading" }
  | { status: "ready"; member: ShownMember | null; program: PublicProgram }
  /** The member as another answer (a redemption's) or the current summary brought it: the program stays. */
  | { status: "member"; member: ShownMember }
  | { status: "error" };

export interface Loader {
  subscribe(listener: (state: LoadState) => void): void;
  /** Starts the request unless one succeeded or is under way. */
  load(): Promise<void>;
  /** Requests again even after a success. */
  refresh(): Promise<void>;
  /** Hands every widget on the page a member that came with another answer. */
  publish(member: ShownMember): void;
}

export const REQUEST_TIMEOUT_MS = 8000;

export function createLoader(config: WidgetConfig, timeoutMs = REQUEST_TIMEOUT_MS): Loader {
  const listeners: ((state: LoadState) => void)[] = [];
  let request: Promise<void> | null = null;
  const emit = (state: LoadState) => listeners.forEach((listener) => listener(state));
  // A signed-in shopper needs /customer; a visitor only the public (cacheable) program.
  const url = `${config.proxy}/${config.loggedIn ? "customer" : "program"}`;

  function load(): Promise<void> {
    if (request) return request;
    emit({ status: "loading" });
    request = fetchJson(url, timeoutMs).then(
      (body) => emit({ status: "ready", member: (body as CustomerResponse).member ?? null, program: body.program }),
      () => {
        request = null;
        emit({ status: "error" });
      },
    );
    return request;
  }

  return {
    subscribe: (listener) => listeners.push(listener),
    load,
    refresh: () => {
      request = null;
      return load();
    },
    publish: (member) => emit({ status: "member", member }),
  };
}

async function fetchJson(url: string, timeoutMs: number): Promise<CustomerResponse | ProgramResponse> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error("timeout"));
    }, timeoutMs);
  });
  try {
    const response = await Promise.race([
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller.signal }),
      timeout,
    ]);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await Promise.race([response.json(), timeout])) as CustomerResponse | ProgramResponse;
    if (!body || body.version !== 1 || !body.program) throw new Error("unexpected response");
    return body;
  } finally {
    clearTimeout(timer);
  }
}
