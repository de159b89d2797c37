// Embed mode's options, read from the page's query: `embed=1` turns on the compact layout for an
// iframe, `hide=` lists controls the host does not want shown, and `origin=` lists the host pages'
// origins allowed to drive the playground through the postMessage API (hostApi.ts). The setup keys
// of the same query are read by urlState.ts, which leaves these three keys (RESERVED_KEYS) alone.
// Pure functions: no DOM, no React.
import { RESERVED_KEYS } from '../state/urlState';

/**
 * The controls and panels an embedding page can hide (`hide=history,presets`):
 * - dataset: the Dataset picker (and the Omniglot download)
 * - sampler: ways, shots, queries, training ways, split, augmentation
 * - method: the Method picker
 * - hyperparameters: the method's settings
 * - training: steps, validation interval, test episodes
 * - backend: the Backend picker and its status line
 * - seed: the Seed field
 * - history: the run history (and its storage)
 * - presets: the guided presets
 * - explanation: the method's explanation panel
 * - episode: the episode viewer / sine plot
 * - comparison: the comparison table of runs
 */
export const HIDEABLE_CONTROLS = [
  'dataset',
  'sampler',
  'method',
  'hyperparameters',
  'training',
  'backend',
  'seed',
  'history',
  'presets',
  'explanation',
  'episode',
  'comparison',
] as const;

export type HideableControl = (typeof HIDEABLE_CONTROLS)[number];

export interface EmbedOptions {
  /** Compact layout for an iframe, no storage prompts, an "open in full playground" link. */
  embed: boolean;
  hidden: Set<HideableControl>;
  /**
   * Origins (`scheme://host[:port]`, normalised as URL.origin writes them) whose messages the host
   * API accepts and to which it posts events. Empty: the postMessage API stays off.
   */
  allowedOrigins: string[];
  /** What was ignored in the embed keys and why, in words for the page. */
  notices: string[];
}

const ON = new Set(['', '1', 'true', 'yes', 'on']);
const OFF = new Set(['0', 'false', 'no', 'off']);

/** A query value in a notice, cut short if long. */
const shown = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** Every comma-separated item of every occurrence of `key`, trimmed, empty items dropped. */
function listOf(params: URLSearchParams, key: string): string[] {
  return params
    .getAll(key)
    .flatMap((value) => value.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * `text` as an origin (`https://example.org`, `http://127.0.0.1:4173`), or why it is not one.
 * Only http(s) origins with nothing after the host and port (a single trailing '/' is tolerated);
 * no wildcard, no "null" (a sandboxed or file: page has no origin a message could be checked against).
 */
export function parseOrigin(text: string): { origin: string } | { error: string } {
  if (text === '*') return { error: 'any origin ("*") is not allowed; list the host page\'s origin, e.g. https://example.org' };
  if (text === 'null') return { error: '"null" (a sandboxed or file: page) cannot be told apart from other such pages' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: 'not an origin; write it as scheme://host[:port], e.g. https://example.org' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: 'only http and https origins can embed the playground' };
  if (url.username || url.password) return { error: 'an origin has no user name or password' };
  // Anything after the host and port (a path, a query) means this is a page's address, not an origin.
  const afterHost = text.slice(text.indexOf('//') + 2).replace(/\/$/, '');
  if (/[/?#\\]/.test(afterHost) || url.pathname !== '/' || url.search || url.hash) return { error: `an origin has no path or query; did you mean ${url.origin}?` };
  return { origin: url.origin };
}

/** The embed options of a page's query (`location.search`, with or without '?'). Never throws. */
export function embedOptionsFromQuery(search: string): EmbedOptions {
  const params = new URLSearchParams(typeof search === 'string' ? search : '');
  const notices: string[] = [];
  const hidden = new Set<HideableControl>();
  const allowedOrigins: string[] = [];

  const embedValues = params.getAll('embed');
  let embed = false;
  if (embedValues.length > 0) {
    // Of a repeated key the last one counts, as for the setup's keys.
    const value = embedValues[embedValues.length - 1].trim().toLowerCase();
    if (ON.has(value)) embed = true;
    else if (!OFF.has(value)) notices.push(`Ignored "embed=${shown(value)}" in the link: embed must be 1 (on) or 0 (off); the full playground is shown.`);
  }

  const hide = listOf(params, 'hide');
  const origins = listOf(params, 'origin');
  if (!embed) {
    if (hide.length || origins.length) notices.push('Ignored "hide" and "origin" in the link: they apply only with embed=1.');
    return { embed, hidden, allowedOrigins, notices };
  }

  const known = new Set<string>(HIDEABLE_CONTROLS);
  for (const id of hide) {
    if (known.has(id)) hidden.add(id as HideableControl);
    else notices.push(`Ignored "${shown(id)}" in hide=: no such control (it can hide: ${HIDEABLE_CONTROLS.join(', ')}).`);
  }

  for (const text of origins) {
    const parsed = parseOrigin(text);
    if ('error' in parsed) notices.push(`Ignored origin "${shown(text)}": ${parsed.error}.`);
    else if (!allowedOrigins.includes(parsed.origin)) allowedOrigins.push(parsed.origin);
  }
  return { embed, hidden, allowedOrigins, notices };
}

/**
 * The address of the same setup in the full playground: the page's own address without the embed
 * keys (embed, hide, origin); every setup key is kept as written.
 */
export function fullPlaygroundUrl(location: { origin: string; pathname: string; search: string }): string {
  // Pairs are dropped as written (not re-encoded), so split=70,10,20 keeps its commas.
  const kept = location.search
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => {
      if (pair === '') return false;
      const key = [...new URLSearchParams(pair).keys()][0] ?? '';
      // A lesson's link (?lesson=<id>) opens the same lesson in the full playground.
      return key === 'lesson' || !RESERVED_KEYS.includes(key);
    });
  return `${location.origin}${location.pathname}${kept.length ? `?${kept.join('&')}` : ''}`;
}
