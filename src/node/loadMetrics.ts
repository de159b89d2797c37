// The pure half of `npm run bench:load`: reads a production build (dist/) the way the browser does
// at startup and says which scripts the main thread loads before the page can work (the "UI shell"),
// how big they are raw and gzipped, and whether TensorFlow.js leaked into them. tfjs belongs in the
// compute worker only; a static import of it from page code would put megabytes on the main
// thread's startup path, which is the regression this exists to catch. No browser, no network:
// everything here reads files, so the unit tests can run it on a small fake dist/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface Sizes {
  raw: number;
  /** gzip level 9 of the file on its own: HTTP compresses each response separately. */
  gzip: number;
}

export interface SizedFile extends Sizes {
  /** Path inside dist/, with forward slashes ("assets/index-abc.js"). */
  file: string;
}

export type ShellVia = 'entry module' | 'classic script' | 'inline module' | 'modulepreload' | 'static import' | 'stylesheet';

export interface ShellFile extends SizedFile {
  via: ShellVia;
  /** For static imports: the first file (in breadth-first order) that imports it. */
  from?: string;
}

export interface WorkerBundle {
  /** The worker's entry chunk, referenced as new URL("…", import.meta.url) (new Worker(new URL(…))). */
  entry: string;
  referencedBy: string;
  /** The entry and its static import closure: what the worker loads before it runs. */
  files: SizedFile[];
  /** Chunks it pulls in with import() later (a backend chosen at run time, for example). */
  lazy: SizedFile[];
  /** Non-script files it references by URL (tfjs's .wasm binaries, for example). */
  assets: SizedFile[];
}

export interface TfjsHit {
  file: string;
  markers: string[];
}

export interface LoadAnalysis {
  html: SizedFile;
  /** Main-thread scripts at startup, in load order (entries and preloads first, then their imports). */
  shell: ShellFile[];
  css: ShellFile[];
  /** Chunks the shell can import() later: not on the startup path, listed for information. */
  shellLazy: SizedFile[];
  workers: WorkerBundle[];
  /** .js files in dist/ that none of the above reaches (shows what the analysis could not place). */
  unreached: string[];
  /** Shell scripts (inline modules as "index.html") that contain tfjs markers; empty = clean. */
  tfjsInShell: TfjsHit[];
}

/**
 * Strings that really are in the tfjs bundles of this build (checked against dist/assets) and that
 * page code has no reason to contain. Identifiers like registerKernel or ENGINE are renamed by a
 * minifier and the version banner ("4.22.0") is not distinctive, so these are property names and
 * path comments instead.
 */
export const TFJS_MARKERS: ReadonlyArray<{ marker: string; why: string }> = [
  { marker: '_tfengine', why: "tfjs-core's global engine slot (ns._tfengine): a property name, so it survives minification" },
  { marker: '_tfGlobals', why: "tfjs-core's global registry (ns._tfGlobals): likewise survives minification" },
  {
    marker: 'node_modules/@tensorflow/',
    why: 'the module path comments the bundler writes into unminified chunks: catches every tfjs package, backends included',
  },
];

export function sizesOf(content: string | Uint8Array): Sizes {
  const buffer = typeof content === 'string' ? Buffer.from(content) : content;
  return { raw: buffer.byteLength, gzip: gzipSync(buffer, { level: 9 }).byteLength };
}

/** Sums per-file sizes (gzip included: each file is compressed on its own when served). */
export function totalOf(files: ReadonlyArray<Sizes>): Sizes {
  return files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip }), { raw: 0, gzip: 0 });
}

export function findTfjsMarkers(code: string): string[] {
  return TFJS_MARKERS.map((m) => m.marker).filter((m) => code.includes(m));
}

// Static import/re-export declarations: at the start of a line or after a `;` (minified chunks put
// several statements on one line), with an optional binding list, then the specifier. The binding
// list cannot contain quotes or parentheses, so dynamic import("…"), import.meta and importScripts
// never match, and neither do commented-out imports (`// import …`, ` * import …`).
const STATIC_IMPORT = /(?:^|;)[ \t]*(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?(["'])([^"'\n]+)\1/gm;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*(["'`])([^"'`\n]+)\1\s*\)/g;
const URL_REFERENCE = /\bnew\s+URL\(\s*(?:\/\*[\s\S]*?\*\/\s*)?(["'`])([^"'`\n]+)\1\s*,\s*import\.meta\.url\s*\)/g;

/** Specifiers of the static `import … from "x"`, `import "x"` and `export … from "x"` declarations. */
export function staticImports(code: string): string[] {
  return [...code.matchAll(STATIC_IMPORT)].map((m) => m[2]);
}

/** Specifiers of literal dynamic imports, import("x"). */
export function dynamicImports(code: string): string[] {
  return [...code.matchAll(DYNAMIC_IMPORT)].map((m) => m[2]);
}

/** Files referenced as new URL("x", import.meta.url): worker entries, .wasm binaries, images. */
export function urlReferences(code: string): string[] {
  return [...code.matchAll(URL_REFERENCE)].map((m) => m[2]);
}

export interface HtmlRefs {
  /** <script type="module" src>. */
  modules: string[];
  /** <script src> without type="module": also run on the main thread at startup. */
  classic: string[];
  /** Bodies of inline <script type="module"> (their imports are startup scripts too). */
  inlineModules: string[];
  modulepreloads: string[];
  stylesheets: string[];
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    attrs[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? '';
  }
  return attrs;
}

export function htmlReferences(html: string): HtmlRefs {
  const text = html.replace(/<!--[\s\S]*?-->/g, '');
  const refs: HtmlRefs = { modules: [], classic: [], inlineModules: [], modulepreloads: [], stylesheets: [] };
  for (const m of text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const attrs = attributes(m[1]);
    const isModule = attrs.type?.toLowerCase() === 'module';
    if (attrs.src !== undefined) (isModule ? refs.modules : refs.classic).push(attrs.src);
    else if (isModule) refs.inlineModules.push(m[2]);
  }
  for (const m of text.matchAll(/<link\b([^>]*)>/gi)) {
    const attrs = attributes(m[1]);
    const rel = (attrs.rel ?? '').toLowerCase().split(/\s+/);
    if (attrs.href === undefined) continue;
    if (rel.includes('modulepreload')) refs.modulepreloads.push(attrs.href);
    if (rel.includes('stylesheet')) refs.stylesheets.push(attrs.href);
  }
  return refs;
}

const toPosix = (path: string) => path.split(sep).join('/');

/**
 * The file inside dist/ that `spec` names when `fromFile` (a dist-relative path) refers to it, or
 * null for external URLs and files that are not there. Absolute paths ("/app/assets/x.js" when the
 * build has a base path) are tried against dist/ with leading segments dropped until one exists.
 */
export function resolveInDist(dist: string, fromFile: string, spec: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec) || spec.startsWith('//')) return null;
  const clean = spec.replace(/[?#].*$/, '');
  const candidates: string[] = [];
  if (clean.startsWith('/')) {
    const parts = clean.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) candidates.push(parts.slice(i).join('/'));
  } else {
    candidates.push(posix.normalize(posix.join(posix.dirname(fromFile), clean)));
  }
  for (const candidate of candidates) {
    if (candidate.startsWith('../')) continue;
    const full = join(dist, candidate);
    if (existsSync(full) && statSync(full).isFile()) return candidate;
  }
  return null;
}

const isScript = (file: string) => /\.(m?js)$/.test(file);

interface Graph {
  read(file: string): string;
  resolve(from: string, spec: string): string | null;
}

/** Breadth-first static import closure of `roots`: [file, first importer] in discovery order. */
function staticClosure(graph: Graph, roots: string[]): Map<string, string | undefined> {
  const seen = new Map<string, string | undefined>(roots.map((r) => [r, undefined]));
  const queue = [...roots];
  while (queue.length) {
    const file = queue.shift()!;
    for (const spec of staticImports(graph.read(file))) {
      const target = graph.resolve(file, spec);
      if (target && isScript(target) && !seen.has(target)) {
        seen.set(target, file);
        queue.push(target);
      }
    }
  }
  return seen;
}

/** Everything `files` can reach through import() (and those chunks' own static imports), minus `files`. */
function lazyClosure(graph: Graph, files: Iterable<string>): string[] {
  const known = new Set(files);
  const lazy: string[] = [];
  const queue = [...known];
  while (queue.length) {
    const file = queue.shift()!;
    const code = graph.read(file);
    for (const spec of [...dynamicImports(code), ...staticImports(code)]) {
      const target = graph.resolve(file, spec);
      if (target && isScript(target) && !known.has(target)) {
        known.add(target);
        lazy.push(target);
        queue.push(target);
      }
    }
  }
  return lazy;
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full, base) : [toPosix(relative(base, full))];
  });
}

/** Reads dist/index.html and the chunks it reaches; throws a clear error when there is no build. */
export function analyzeDist(dist: string, htmlFile = 'index.html'): LoadAnalysis {
  const htmlPath = join(dist, htmlFile);
  if (!existsSync(htmlPath)) throw new Error(`No production build: ${htmlPath} does not exist. Run \`npm run build\` first.`);
  const cache = new Map<string, string>();
  const graph: Graph = {
    read(file) {
      if (!cache.has(file)) cache.set(file, readFileSync(join(dist, file), 'utf8'));
      return cache.get(file)!;
    },
    resolve: (from, spec) => resolveInDist(dist, from, spec),
  };
  const sized = (file: string): SizedFile => ({ file, ...sizesOf(readFileSync(join(dist, file))) });
  const html = graph.read(htmlFile);
  const refs = htmlReferences(html);

  // Roots in the order the browser meets them; a file listed twice keeps its first role.
  const roots = new Map<string, ShellVia>();
  const addRoot = (spec: string, via: ShellVia) => {
    const file = graph.resolve(htmlFile, spec);
    if (file && !roots.has(file)) roots.set(file, via);
  };
  refs.modules.forEach((s) => addRoot(s, 'entry module'));
  refs.classic.forEach((s) => addRoot(s, 'classic script'));
  refs.modulepreloads.forEach((s) => addRoot(s, 'modulepreload'));
  const inlineImports = refs.inlineModules.flatMap(staticImports);
  inlineImports.forEach((s) => addRoot(s, 'inline module'));

  const closure = staticClosure(graph, [...roots.keys()]);
  const shell: ShellFile[] = [...closure].map(([file, from]) => ({
    ...sized(file),
    via: roots.get(file) ?? 'static import',
    ...(from ? { from } : {}),
  }));
  const css: ShellFile[] = refs.stylesheets
    .map((s) => graph.resolve(htmlFile, s))
    .filter((f): f is string => f !== null)
    .map((file) => ({ ...sized(file), via: 'stylesheet' as const }));

  const shellLazy = lazyClosure(graph, closure.keys());

  // Workers: scripts referenced by URL from anything the page can run (shell and its lazy chunks),
  // then from the workers themselves (nested workers), each with its own closures.
  const workers: WorkerBundle[] = [];
  const scanned = new Set<string>();
  const pending = [...closure.keys(), ...shellLazy];
  while (pending.length) {
    const file = pending.shift()!;
    if (scanned.has(file)) continue;
    scanned.add(file);
    for (const spec of urlReferences(graph.read(file))) {
      const entry = graph.resolve(file, spec);
      if (!entry || !isScript(entry) || workers.some((w) => w.entry === entry)) continue;
      const staticFiles = [...staticClosure(graph, [entry]).keys()];
      const lazy = lazyClosure(graph, staticFiles);
      const assets = [...new Set([...staticFiles, ...lazy].flatMap((f) => urlReferences(graph.read(f)).map((s) => graph.resolve(f, s))))]
        .filter((f): f is string => f !== null && !isScript(f));
      workers.push({ entry, referencedBy: file, files: staticFiles.map(sized), lazy: lazy.map(sized), assets: assets.map(sized) });
      pending.push(...staticFiles, ...lazy);
    }
  }

  const reached = new Set([...closure.keys(), ...shellLazy, ...workers.flatMap((w) => [...w.files, ...w.lazy].map((f) => f.file))]);
  const unreached = listFiles(dist).filter((f) => isScript(f) && !reached.has(f)).sort();

  const tfjsInShell: TfjsHit[] = [];
  for (const file of closure.keys()) {
    const markers = findTfjsMarkers(graph.read(file));
    if (markers.length) tfjsInShell.push({ file, markers });
  }
  const inlineMarkers = findTfjsMarkers(refs.inlineModules.join('\n'));
  if (inlineMarkers.length) tfjsInShell.push({ file: htmlFile, markers: inlineMarkers });

  return { html: sized(htmlFile), shell, css, shellLazy: shellLazy.map(sized), workers, unreached, tfjsInShell };
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median (mean of the middle two for an even count), min and max; null when there are no values. */
export function summarize(values: ReadonlyArray<number>): Summary | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}
