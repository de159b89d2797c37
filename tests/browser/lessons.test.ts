// The lessons and the trained snapshots in Chromium (production build): each lesson opened by its
// link (?lesson=<id>) runs every step with its button, each answer appears once the page shows what
// it needs (a run from a snapshot with its evaluation, the episode viewer, the sine plot) and quotes
// measured numbers; the snapshot files are fetched only when a step asks for a trained model; the
// lesson panel has no serious axe violation; a lesson works embedded (embed=1); "Start from a
// ready model" beside Train shows the run, its evaluation and its episode at once, and "Continue"
// trains it on from its last step. Screenshots in artifacts/screenshots/lessons-*.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, runLine, screenshot, stepOf } from '../../src/node/browser';
import { appInChromium } from './appInChromium';
import { seriousViolations } from '../../src/node/screens';
import { LESSONS } from '../../src/ui/explain/lessons';
import { SNAPSHOT_MANIFEST } from '../../src/snapshots/source';

const app = appInChromium();

async function open(path: string): Promise<{ page: Page; errors: string[]; snapshotRequests: string[] }> {
  const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const snapshotRequests: string[] = [];
  context.on('request', (r) => {
    if (r.url().includes('/snapshots/')) snapshotRequests.push(r.url());
  });
  const opened = await openPage(context, `${app.server.url}${path}`);
  return { ...opened, snapshotRequests };
}

const lessonPanel = (page: Page) => page.locator('section.lesson');
const answer = (page: Page) => lessonPanel(page).locator('.lesson__answer');
const WAITING = 'The answer appears once the run shows it.';

/** Runs every step of a lesson with its button and checks each answer. */
async function runLesson(page: Page, lessonId: string, snapshotRequests: string[]): Promise<void> {
  const lesson = LESSONS.find((l) => l.id === lessonId)!;
  const panel = lessonPanel(page);
  await expect.poll(() => panel.getByRole('heading', { name: lesson.title }).count(), { timeout: 30_000 }).toBe(1);
  // Nothing of a snapshot is fetched before a step asks for it.
  expect(snapshotRequests).toEqual([]);
  for (const [i, step] of lesson.steps.entries()) {
    await expect.poll(() => panel.locator('.lesson__progress').textContent()).toBe(`Step ${i + 1} of ${lesson.steps.length}: ${step.title}`);
    if (step.action) await panel.getByRole('button', { name: step.action.label }).click();
    // The answer shows by itself once the page shows what it needs.
    await expect.poll(async () => (await answer(page).textContent()) ?? '', { timeout: 90_000 }).not.toContain(WAITING);
    const text = (await answer(page).textContent()) ?? '';
    expect(text, `${lessonId} step ${i + 1}`).not.toMatch(/undefined|NaN|missing from this build/);
    if (step.action?.steps.some((a) => a.kind === 'snapshot')) expect(text, `${lessonId} step ${i + 1} quotes measured numbers`).toMatch(/\d+\.\d+%|\d\.\d{3}/);
    if (i < lesson.steps.length - 1) await panel.getByRole('button', { name: 'Next step' }).click();
  }
}

describe('lessons in Chromium', () => {
  it('runs every step of every lesson from its link, with answers from the runs on the page', async () => {
    for (const lesson of LESSONS) {
      const { page, errors, snapshotRequests } = await open(`?lesson=${lesson.id}`);
      await runLesson(page, lesson.id, snapshotRequests);
      if (lesson.id === 'episode') {
        // The run from the snapshot: in the history, with its evaluation, its episode and curves at once.
        expect(await runLine(page)).toMatch(/Prototypical Networks 5-way 1-shot \(trained snapshot\): done/);
        const entry = SNAPSHOT_MANIFEST.entries.find((e) => e.id === 'protonet-glyphs-5w1s')!;
        const evaluation = page.getByRole('region', { name: 'Evaluation on held-out classes' });
        expect(await evaluation.textContent()).toContain(`${(100 * entry.evaluation.shipped[0].mean).toFixed(2)}%`);
        expect(await page.locator('.training-charts .plot__line').count()).toBeGreaterThan(0);
        expect(snapshotRequests.some((u) => u.endsWith('protonet-glyphs-5w1s.bin'))).toBe(true);
        const violations = await seriousViolations(page);
        expect(violations, JSON.stringify(violations, null, 1)).toEqual([]);
      }
      if (lesson.id === 'finetune-vs-meta') {
        // Both glyph runs are paired in the comparison table (same 600 episodes).
        expect(await page.locator('.comparison').textContent()).toMatch(/±/);
      }
      await screenshot(page, `lessons-${lesson.id}`);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('works embedded, and starts from a trained model beside Train and trains it on', async () => {
    const { page, errors, snapshotRequests } = await open('?embed=1&lesson=maml-inner-loop');
    await runLesson(page, 'maml-inner-loop', snapshotRequests);
    await screenshot(page, 'lessons-embed');
    expect(errors).toEqual([]);
    await page.context().close();

    const full = await open('');
    const button = full.page.getByRole('button', { name: 'Start from a ready model' });
    await expect.poll(() => button.count(), { timeout: 30_000 }).toBe(1);
    expect(full.snapshotRequests).toEqual([]);
    await button.click();
    await expect.poll(() => runLine(full.page), { timeout: 60_000 }).toMatch(/\(trained snapshot\): done/);
    const steps = stepOf(await runLine(full.page));
    expect(steps).toBe(SNAPSHOT_MANIFEST.entries.find((e) => e.id === 'protonet-glyphs-5w1s')!.steps);
    // The episode viewer shows a test episode without a click.
    await expect.poll(() => full.page.getByText(/^Episode accuracy:/).count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await full.page.getByRole('button', { name: /^Continue \(\+300 steps\)$/ }).click();
    await expect.poll(async () => stepOf(await runLine(full.page)), { timeout: 90_000 }).toBeGreaterThan(steps + 2);
    expect(await runLine(full.page)).toMatch(new RegExp(`training, step [\\d,]+ of ${(steps + 300).toLocaleString('en-US')}`));
    await full.page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => runLine(full.page), { timeout: 60_000 }).toMatch(/stopped/);
    await screenshot(full.page, 'lessons-train-on');
    expect(full.errors).toEqual([]);
  });
});
