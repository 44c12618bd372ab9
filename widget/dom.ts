// DOM helpers. Text only ever goes in through textContent: nothing here parses HTML.

export function all<T extends Element = HTMLElement>(root: ParentNode, selector: string): T[] {
  return [...root.querySelectorAll<T>(selector)];
}

/** Every element of the root marked data-tally-field="name". */
export function fields<T extends Element = HTMLElement>(root: ParentNode, name: string): T[] {
  return all<T>(root, `[data-tally-field="${name}"]`);
}

export function setText(root: ParentNode, name: string, text: string): void {
  for (const element of fields(root, name)) element.textContent = text;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

/** Runs when the browser is idle, so hydration never competes with the page's own work. */
export function whenIdle(task: () => void): void {
  const idle = (window as Window & { requestIdleCallback?: (callback: () => void, options?: { timeout: number }) => number })
    .requestIdleCallback;
  if (idle) idle(task, { timeout: 3000 });
  else setTimeout(task, 200);
}
