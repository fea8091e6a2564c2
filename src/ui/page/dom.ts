// Element helpers of the page: plain DOM, no framework. Every control has a label (tests find them by role and
// label, as a screen reader does); text from files is always set as text (h's children), never as HTML.

export type Attrs = Record<string, string | boolean | number | undefined | ((event: Event) => void)>;
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

let uid = 0;
function nextId(prefix: string): string {
  uid++;
  return `${prefix}-${uid}`;
}

/** A labelled control in a `.field` box. */
export function labelled(text: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || nextId('c');
  control.id = id;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, text),
    control,
    hint ? h('span', { class: 'hint' }, hint) : null,
  );
}

/** An error in place of what `where` showed: the error's own words, announced to a screen reader. */
export function showError(where: HTMLElement, error: unknown): void {
  where.replaceChildren(
    h('div', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)),
  );
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/** Label/value pairs, as a description list. */
export function facts(entries: Array<[string, string]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    ...entries.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
  );
}

/** A table of text cells with a caption for screen readers, scrollable (a region) when wide. */
export function table(
  header: string[],
  rows: string[][],
  numeric: (col: number) => boolean,
  caption: string,
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        {},
        h('tr', {}, ...header.map((c, i) => h('th', { scope: 'col', class: numeric(i) ? 'num' : '' }, c))),
      ),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h('tr', {}, ...header.map((_c, i) => h('td', { class: numeric(i) ? 'num' : '' }, r[i] ?? ''))),
        ),
      ),
    ),
  );
}

/** A cell that reads as a number (right-aligned in the tables). */
export const NUMBER_TEXT = /^-?[\d\s.,']+$/;
