// Fresh data from the app proxy, fetched at most once per page (again only on retry) and
// shared by every widget root. A failure or a timeout is reported, never thrown at the page.
import type { WidgetConfig } from "./config";
import type { CustomerResponse, ProgramResponse, PublicProgram, ShownMember } from "./contract";

export type LoadState =
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

// Aborting the request also fails a body still arriving, so one timer covers both.
async function fetchJson(url: string, timeoutMs: number): Promise<CustomerResponse | ProgramResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    // An error answer (JSON without a program, or a proxy's HTML page) is a failure like no answer.
    const body = (await (await fetch(url, { signal: controller.signal })).json()) as CustomerResponse | ProgramResponse;
    if (!body || body.version !== 1 || !body.program) throw Error();
    return body;
  } finally {
    clearTimeout(timer);
  }
}
