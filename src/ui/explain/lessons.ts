// Lessons: short step-by-step walks through few-shot learning for a class, each step saying what to
// do, what to look at, a question to think about, and the answer once the run on the page shows it.
// They start from the trained snapshots the app ships (src/snapshots) wherever waiting for training
// teaches nothing, so every step answers at once. Numbers in the answers are read from the
// snapshots' manifest (measured by `npm run snapshots`) or from what the page shows at that moment
// (the episode in the viewer, the sine task), never written in by hand. Plain data and pure
// functions, no React; the panel is LessonPanel.tsx. A lesson's link is `?lesson=<id>`.
import type { EpisodeInspection, SineFit } from '../../worker/protocol';
import type { SnapshotEntry } from '../../snapshots/snapshot';
import { pairedDifference } from '../../core/train/stats';
import type { StoredRun } from '../state/runTypes';

/** What a step's button does on the page, in order. */
export type LessonAction =
  /** Start from a trained snapshot (it becomes the current run). */
  | { kind: 'snapshot'; id: string }
  /** Make the run from this snapshot current again (the newest one started from it). */
  | { kind: 'select'; id: string }
  /** Another test episode (or sine task) in the viewer. */
  | { kind: 'newEpisode' };

/** When the page shows a step's answer. */
export type LessonShows =
  /** Runs started from these snapshots are in the history (with their evaluations). */
  | { kind: 'runs'; ids: string[] }
  /** The episode viewer shows an episode of the run from this snapshot. */
  | { kind: 'episode'; id: string }
  /** The sine plot shows a task fitted by the run from this snapshot. */
  | { kind: 'sineFit'; id: string };

/** What an answer may quote: the manifest, the runs on the page, the viewer's episode or task. */
export interface LessonFacts {
  entry(id: string): SnapshotEntry | undefined;
  /** The newest run started from snapshot `id`, if any. */
  run(id: string): StoredRun | undefined;
  inspection: EpisodeInspection | null;
  sineFit: SineFit | null;
}

export interface LessonStep {
  title: string;
  /** What to do. */
  task: string;
  /** The button that does it (it may also be done by hand with the page's controls). */
  action?: { label: string; steps: LessonAction[] };
  /** What to look at. */
  lookAt: string;
  question: string;
  /** The answer, from what the page shows once `shows` holds. */
  answer(facts: LessonFacts): string;
  shows: LessonShows;
}

export interface Lesson {
  id: string;
  title: string;
  /** One or two sentences: what the lesson is about, and which pillar of few-shot learning. */
  intro: string;
  steps: LessonStep[];
}

// --- Formatting the measured numbers --------------------------------------------------------------

const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)}%`;
const missing = (id: string) => `(the trained model "${id}" is missing from this build; run npm run snapshots)`;

/** "78.1% ± 0.9% (600 test episodes, 1000 training steps)". */
function accuracyOf(facts: LessonFacts, id: string): string {
  const e = facts.entry(id);
  if (!e) return missing(id);
  const r = e.evaluation.shipped[0];
  return `${pct(r.mean)} ± ${pct(r.ci95)} (${e.evaluation.episodes} test episodes, ${e.steps} training steps)`;
}

/** The MSE after `steps` adaptation steps, e.g. "0.412 ± 0.031". */
function mseOf(facts: LessonFacts, id: string, label: string): string {
  const e = facts.entry(id);
  const r = e?.evaluation.shipped.find((x) => x.label === label);
  if (!e || !r) return missing(id);
  return `${r.mean.toFixed(3)} ± ${r.ci95.toFixed(3)}`;
}

/** Paired difference of two snapshot runs' evaluations on the same episodes, in words. */
function pairedOf(facts: LessonFacts, a: string, b: string): string {
  const ra = facts.run(a)?.evaluations.at(-1);
  const rb = facts.run(b)?.evaluations.at(-1);
  if (!ra || !rb || ra.episodes !== rb.episodes || ra.seed !== rb.seed) return 'the comparison table gives their paired difference';
  const d = pairedDifference(ra.results[0].perEpisode, rb.results[0].perEpisode);
  const ta = facts.entry(a)?.title ?? a;
  const tb = facts.entry(b)?.title ?? b;
  const zero = Math.abs(d.mean) <= d.ci95;
  return (
    `on the same ${d.episodes} episodes, ${ta} minus ${tb} is ${d.mean >= 0 ? '+' : ''}${pct(d.mean)} ± ${pct(d.ci95)} ` +
    (zero ? '(the interval contains 0: these episodes cannot tell them apart)' : `(the interval excludes 0: ${d.mean > 0 ? ta : tb} is better here)`)
  );
}

/** The viewer's episode: "11 of 15 queries right (73.3%)". */
function episodeScore(facts: LessonFacts): string {
  const i = facts.inspection;
  if (!i) return 'the viewer shows how many of its queries are right';
  const n = i.queries.predicted.length;
  const right = i.queries.predicted.filter((p, k) => p === i.queries.labels[k]).length;
  return `${right} of ${n} queries right (${pct(i.accuracy)})`;
}

function meanSquaredError(fit: SineFit, steps: number): number | null {
  const f = fit.fits.find((x) => x.steps === steps);
  if (!f) return null;
  return f.y.reduce((sum, y, k) => sum + (y - fit.target[k]) ** 2, 0) / f.y.length;
}

// --- The lessons ------------------------------------------------------------------------------------

const PROTONET_1 = 'protonet-glyphs-5w1s';
const PROTONET_5 = 'protonet-glyphs-5w5s';
const PROTONET_SHIFT = 'protonet-glyphs-5w1s-shift2';
const MAML = 'maml-glyphs-5w1s';
const FINETUNE = 'finetune-glyphs-5w1s';
const MAML_SINE = 'maml-sine-k10';
const FINETUNE_SINE = 'finetune-sine-k10';

const start = (id: string, label: string): LessonStep['action'] => ({ label, steps: [{ kind: 'snapshot', id }] });

export const LESSONS: Lesson[] = [
  {
    id: 'episode',
    title: 'What is an episode?',
    intro:
      'Few-shot learning is tested on classes the model never saw: each test is an episode, a small task with N classes, K labelled examples of each (the support set) and some queries to classify.',
    steps: [
      {
        title: 'A trained model meets new classes',
        task: 'Start from the trained Prototypical Network (glyphs, 5-way 1-shot).',
        action: start(PROTONET_1, 'Load the ready Prototypical Network'),
        lookAt:
          'The episode viewer: the top row is the support set, one image of each of 5 classes; below are the queries, 15 of each class, marked right or wrong. These alphabets were held out: the model was trained on others.',
        question: 'The model never saw these five classes. How can it classify their queries at all?',
        answer: (f) =>
          `It does not learn these classes in advance. Training taught it to turn images into features where images of one class lie close together; at test the five support images define the classes, and each query goes to the nearest one. In this episode that gives ${episodeScore(f)}, against 20% for guessing among 5.`,
        shows: { kind: 'episode', id: PROTONET_1 },
      },
      {
        title: 'One episode is not the answer',
        task: 'Look at a few more episodes (the viewer\'s "New episode" does the same).',
        action: { label: 'Another episode', steps: [{ kind: 'select', id: PROTONET_1 }, { kind: 'newEpisode' }] },
        lookAt: 'How many queries are right in each episode: some episodes are easy, some pair look-alike classes.',
        question: 'If one episode can score high or low by luck, how should the model be measured?',
        answer: (f) => {
          const s = f.run(PROTONET_1)?.evaluations.at(-1)?.results[0].summary;
          return (
            `Over many episodes: the run's evaluation (in the results next to the run buttons) averages 600 test episodes and gives a 95% confidence interval: ${accuracyOf(f, PROTONET_1)}. ` +
            (s ? `Single episodes spread much more widely (standard deviation ${pct(s.std)} across episodes); the interval is narrow because it is about the mean of 600. ` : '') +
            'Evaluate measures it again in this browser on the same episodes (seed 2017), so the number repeats.'
          );
        },
        shows: { kind: 'runs', ids: [PROTONET_1] },
      },
    ],
  },
  {
    id: 'shots',
    title: '1 shot vs 5 shots',
    intro: 'K, the number of examples per class, is the "few" of few-shot learning. Compare a Prototypical Network trained and tested with 1 shot against one with 5.',
    steps: [
      {
        title: 'One example per class',
        task: 'Start from the trained 1-shot Prototypical Network.',
        action: start(PROTONET_1, 'Load the 1-shot model'),
        lookAt: "The episode viewer's support row: a single image stands for each class.",
        question: 'What can go wrong when one image has to stand for a whole class?',
        answer: (f) =>
          `An unusual example (a stroke drawn differently) moves the whole class to the wrong place, and every query of that class pays for it. This episode: ${episodeScore(f)}.`,
        shows: { kind: 'episode', id: PROTONET_1 },
      },
      {
        title: 'Five examples per class',
        task: 'Start from the trained 5-shot Prototypical Network.',
        action: start(PROTONET_5, 'Load the 5-shot model'),
        lookAt: 'The support set now has five images per class; the prototype of a class is the mean of their five embeddings.',
        question: 'How much better is 5-shot than 1-shot on held-out glyphs? Guess before you look.',
        answer: (f) =>
          `1 shot: ${accuracyOf(f, PROTONET_1)}; 5 shots: ${accuracyOf(f, PROTONET_5)}. ` +
          'The comparison table does not pair these two: 5-shot episodes have more support images, so they are different episodes; compare the two means with their intervals instead. ' +
          'Exact numbers vary with training length and seed.',
        shows: { kind: 'runs', ids: [PROTONET_1, PROTONET_5] },
      },
    ],
  },
  {
    id: 'prototypes',
    title: 'Prototypes in feature space',
    intro: 'A Prototypical Network classifies by distance: each class is the mean (prototype) of its support embeddings, and a query goes to the nearest prototype.',
    steps: [
      {
        title: 'The map of an episode',
        task: 'Start from the trained 5-shot Prototypical Network.',
        action: start(PROTONET_5, 'Load the 5-shot Prototypical Network'),
        lookAt:
          "The PCA plot beside the episode: the queries' embeddings and the five prototypes, projected onto the two directions that vary most. Colour is the true class.",
        question: 'Where do the misclassified queries lie?',
        answer: (f) => {
          const v = f.inspection?.projection?.explainedVariance;
          return (
            'Between clusters, nearer to another class\'s prototype than to their own: the model answers "nearest prototype", so a query that lands closer to the wrong mean is a mistake. ' +
            (v ? `The two axes keep ${pct(v[0] + v[1], 0)} of the variance of this episode's embeddings, so a query may look closer on the plot than it is. ` : '') +
            `This episode: ${episodeScore(f)}.`
          );
        },
        shows: { kind: 'episode', id: PROTONET_5 },
      },
      {
        title: 'Another episode',
        task: 'Show a new episode and look at the plot again.',
        action: { label: 'Another episode', steps: [{ kind: 'select', id: PROTONET_5 }, { kind: 'newEpisode' }] },
        lookAt: 'Which classes sit close together on the plot, and whether their queries get mixed up.',
        question: 'Why does the network not need retraining for these new classes?',
        answer: () =>
          'Nothing is fitted at test: the prototypes are means of embeddings, computed in one pass. What was trained is the embedding, on many small episodes of other classes, so that means of a few examples separate classes it has never seen.',
        shows: { kind: 'episode', id: PROTONET_5 },
      },
    ],
  },
  {
    id: 'maml-inner-loop',
    title: "MAML's inner loop",
    intro:
      'MAML learns a starting point for all the network\'s weights from which a few gradient steps on the support set fit a new task. Watch those steps on an image episode and on a sine wave.',
    steps: [
      {
        title: 'Accuracy after each inner step',
        task: 'Start from the trained MAML (glyphs, 5-way 1-shot).',
        action: start(MAML, 'Load the ready MAML'),
        lookAt: "The episode viewer's accuracy after 0, 1, 2, ... SGD steps on the support set.",
        question: 'Before any step, MAML is at its learned starting point. Why is its accuracy there close to guessing?',
        answer: (f) => {
          const by = f.inspection?.accuracyByStep;
          const here = by && by.length > 1 ? `In this episode: ${pct(by[0], 0)} after 0 steps, ${pct(by[1], 0)} after 1, ${pct(by.at(-1)!, 0)} after ${by.length - 1}. ` : '';
          return (
            `${here}The starting point is shared by all tasks, and the labels 1 to 5 mean different classes in every episode, so without a step on this episode's support set the output layer cannot know which is which (chance is 20%). ` +
            `It meta-trained with one step (α = 0.4), so the first step usually does most of the work; it tests with 10. Over 600 episodes, after 10 steps: ${accuracyOf(f, MAML)}. Single episodes vary: press "New episode" to see others.`
          );
        },
        shows: { kind: 'episode', id: MAML },
      },
      {
        title: 'One step on a sine wave',
        task: 'Start from the trained MAML for sine waves (K = 10 points).',
        action: start(MAML_SINE, 'Load the ready sine-wave MAML'),
        lookAt: 'The sine plot: the true wave, the 10 support points, and the fit after 0, 1, ... steps.',
        question: 'What does the first gradient step change?',
        answer: (f) => {
          const fit = f.sineFit;
          const m0 = fit && meanSquaredError(fit, 0);
          const m1 = fit && meanSquaredError(fit, 1);
          const here = m0 !== null && m1 !== null && fit ? `On this task the error (MSE over the wave) goes from ${m0.toFixed(3)} before the step to ${m1.toFixed(3)} after it. ` : '';
          return `${here}Before the step the curve is MAML's starting point, the same for every wave; one step on 10 points moves it onto this wave's amplitude and phase. Over 600 tasks the MSE after 1 step is ${mseOf(f, MAML_SINE, 'MSE after 1 step')}.`;
        },
        shows: { kind: 'sineFit', id: MAML_SINE },
      },
    ],
  },
  {
    id: 'finetune-vs-meta',
    title: 'Fine-tuning vs meta-learning',
    intro:
      'Two pillars of few-shot learning: transfer (train an ordinary classifier on the training classes, then fit a new output layer on each episode\'s support set) and meta-learning (train on episodes shaped like the test).',
    steps: [
      {
        title: 'The same episodes, two approaches',
        task: 'Start from the trained fine-tuning baseline and from the trained Prototypical Network.',
        action: {
          label: 'Load both ready models',
          steps: [
            { kind: 'snapshot', id: FINETUNE },
            { kind: 'snapshot', id: PROTONET_1 },
          ],
        },
        lookAt: 'The comparison table: both runs were evaluated on the same 600 episodes, so it pairs them episode by episode.',
        question: 'Which is better on held-out glyphs, and can these episodes tell?',
        answer: (f) =>
          `Fine-tuning: ${accuracyOf(f, FINETUNE)}; Prototypical Networks: ${accuracyOf(f, PROTONET_1)}; ${pairedOf(f, PROTONET_1, FINETUNE)}. ` +
          'Chen et al. (2019) found such a baseline competitive with meta-learning; which one wins depends on the data, the training length and the seed.',
        shows: { kind: 'runs', ids: [FINETUNE, PROTONET_1] },
      },
      {
        title: 'Sine waves: pre-training vs MAML',
        task: 'Start from the trained sine-wave fine-tuning baseline and the sine-wave MAML.',
        action: {
          label: 'Load both sine-wave models',
          steps: [
            { kind: 'snapshot', id: FINETUNE_SINE },
            { kind: 'snapshot', id: MAML_SINE },
          ],
        },
        lookAt: 'The sine plot of each run (choose the run in the history) and their errors in the comparison table.',
        question: 'A network pre-trained on all waves at once: what does it learn, and why does one step barely help it?',
        answer: (f) =>
          `Since phases vary, the average of all waves is close to a flat line, and that is roughly what it learns; a step on 10 points bends it little. MSE after 1 step: pre-trained ${mseOf(f, FINETUNE_SINE, 'MSE after 1 step')}, MAML ${mseOf(f, MAML_SINE, 'MSE after 1 step')} (600 tasks). ` +
          'MAML trained its starting point for exactly that one step.',
        shows: { kind: 'runs', ids: [FINETUNE_SINE, MAML_SINE] },
      },
    ],
  },
  {
    id: 'augmentation',
    title: 'Augmenting a few examples',
    intro:
      'The third pillar: data augmentation, making more examples from the few there are. Here the training episodes\' support images were shifted by up to 2 pixels at random; the test episodes are untouched.',
    steps: [
      {
        title: 'With and without shifts',
        task: 'Start from the trained Prototypical Network and from the same network trained with shifted support images.',
        action: {
          label: 'Load both ready models',
          steps: [
            { kind: 'snapshot', id: PROTONET_1 },
            { kind: 'snapshot', id: PROTONET_SHIFT },
          ],
        },
        lookAt: 'The comparison table pairs the two runs: same class split, same seed, same 600 test episodes; only the augmentation differs.',
        question: 'Did shifting the training images help on new alphabets?',
        answer: (f) =>
          `Without shifts: ${accuracyOf(f, PROTONET_1)}; with shifts of up to 2 pixels: ${accuracyOf(f, PROTONET_SHIFT)}; ${pairedOf(f, PROTONET_SHIFT, PROTONET_1)}. ` +
          'Augmentation helps when it adds variation the test will show (handwriting does shift) and hurts when it changes what a class is (a flipped glyph may be another letter). The effect depends on the training length and seed; try Flip in the panel and train to see.',
        shows: { kind: 'runs', ids: [PROTONET_1, PROTONET_SHIFT] },
      },
      {
        title: 'The three pillars together',
        task: 'Look back at the runs in the history.',
        lookAt: 'Transfer (the fine-tuning baseline), meta-learning (Prototypical Networks, MAML) and augmentation (the shifted run) each reach well above the 20% of guessing from a single example per class.',
        question: 'Which of the three would you try first on a new problem with few labelled images?',
        answer: () =>
          'Usually transfer from a network trained on plenty of related data (as the "Your images" tab does with a pretrained backbone), with augmentation of the few examples; meta-learning pays when there are many related small tasks to train on, as here. The playground lets you measure each on the same episodes.',
        shows: { kind: 'runs', ids: [] },
      },
    ],
  },
];

export function lessonById(id: string | null | undefined): Lesson | undefined {
  return LESSONS.find((l) => l.id === id);
}

/** The snapshots a lesson starts from. */
export function lessonSnapshots(lesson: Lesson): string[] {
  const ids = lesson.steps.flatMap((s) => s.action?.steps.flatMap((a) => (a.kind === 'snapshot' ? [a.id] : [])) ?? []);
  return [...new Set(ids)];
}

/** Whether the page shows what a step's answer needs. */
export function stepShown(step: LessonStep, facts: Pick<LessonFacts, 'run' | 'inspection' | 'sineFit'> & { currentRunId: string | null }): boolean {
  const s = step.shows;
  switch (s.kind) {
    case 'runs':
      return s.ids.every((id) => (facts.run(id)?.evaluations.length ?? 0) > 0);
    case 'episode': {
      const run = facts.run(s.id);
      return !!run && facts.inspection?.runId === run.id && run.id === facts.currentRunId;
    }
    case 'sineFit': {
      const run = facts.run(s.id);
      return !!run && facts.sineFit?.runId === run.id && run.id === facts.currentRunId;
    }
  }
}
