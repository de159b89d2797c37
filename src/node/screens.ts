// What the screen tests check on every screen of the app in Chromium: axe-core's accessibility rules
// (the npm package, injected into the page), the layout at the four sizes people use (laptop,
// desktop, tablet, phone: nothing wider than the window, the main parts not overlapping), keyboard
// focus that can be seen, and a screenshot of what is in the window at each size.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENSHOTS } from './browser';

export const SCREEN_SIZES = [
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'desktop', width: 1920, height: 1080 },
  { name: 'tablet', width: 768, height: 1024 },
  { name: 'phone', width: 390, height: 844 },
] as const;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  /** CSS selectors of the elements that fail, with axe's summary of why. */
  nodes: string[];
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.x A and AA, best practices). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How far the page is wider than its window (0 when nothing sticks out sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The innermost elements that stick out past the window's right edge, for a failure message. */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').slice(0, 40)}" right=${Math.round(el.getBoundingClientRect().right)}`),
  );
}

/**
 * Waits until the layout holds still (the page's size and every element count the same for three
 * frames running): after a resize, resize observers report and charts draw again at the new width.
 */
export async function layoutSettled(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((done) => {
        let last = '';
        let same = 0;
        let frames = 0;
        const check = () => {
          const now = `${document.documentElement.scrollWidth}x${document.documentElement.scrollHeight}:${document.getElementsByTagName('*').length}`;
          same = now === last ? same + 1 : 0;
          last = now;
          if (same >= 3 || ++frames > 120) done();
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
  );
}

/** Whether two boxes share any area (touching edges do not count). */
export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 && a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1;
}

/** Whether a box lies inside the window as it is scrolled now. */
export async function inWindow(page: Page, box: Box | null): Promise<boolean> {
  if (!box) return false;
  const size = page.viewportSize()!;
  return box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width + 1 && box.y + box.height <= size.height + 1;
}

/** A screenshot of what is in the window at each of the four sizes (artifacts/screenshots/screens/<screen>-<size>.png). */
export async function screenshotsAtEverySize(page: Page, screen: string, check?: (size: (typeof SCREEN_SIZES)[number]) => Promise<void>): Promise<void> {
  const dir = join(SCREENSHOTS, 'screens');
  mkdirSync(dir, { recursive: true });
  const original = page.viewportSize();
  for (const size of SCREEN_SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await layoutSettled(page);
    await check?.(size);
    await page.screenshot({ path: join(dir, `${screen}-${size.width}x${size.height}.png`) });
  }
  if (original) await page.setViewportSize(original);
}

export interface FocusedElement {
  /** What a screen reader would call it, roughly: its label, aria-label or text. */
  name: string;
  tag: string;
  /** The focus ring as drawn: outline style and width in CSS pixels. */
  outlineStyle: string;
  outlineWidth: number;
  box: Box;
}

/** The element with the keyboard focus, its name and its focus ring. */
export async function focused(page: Page): Promise<FocusedElement | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const labelled = el.getAttribute('aria-labelledby');
    const name =
      el.getAttribute('aria-label') ??
      (labelled ? document.getElementById(labelled)?.textContent : null) ??
      ((el as HTMLInputElement).labels?.[0]?.textContent || null) ??
      el.textContent ??
      '';
    // A file input is invisible over its label-button, which draws the ring (.file-button:focus-within).
    const style = getComputedStyle(el.closest('.file-button') ?? el);
    const r = el.getBoundingClientRect();
    return {
      name: name.trim().replace(/\s+/g, ' '),
      tag: el.tagName.toLowerCase(),
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth) || 0,
      box: { x: r.x, y: r.y, width: r.width, height: r.height },
    };
  });
}

/**
 * Presses Tab until the focused element's name matches, as a keyboard user would, and returns it;
 * every element passed on the way must show a focus ring. Fails after `limit` presses.
 */
export async function tabTo(page: Page, name: RegExp, limit = 120): Promise<FocusedElement> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (!now) continue;
    if (now.outlineStyle === 'none' || now.outlineWidth < 2) throw new Error(`No visible focus on ${now.tag} "${now.name}" (outline ${now.outlineStyle} ${now.outlineWidth}px).`);
    if (name.test(now.name)) return now;
  }
  throw new Error(`Pressed Tab ${limit} times without reaching ${name}.`);
}
