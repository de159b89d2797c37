// The few-shot classifier on the backbone's features: its kind and head settings, fitting it to the
// user's classes (calibrated by the worker on held-out predictions), estimating its accuracy, and
// classifying one image. A model from disk that does not say how its pixels are scaled gets both
// scalings tried on the user's images first (compareInputRanges), the better one kept and saved.
import type { OwnClass } from '../../../core/features/types';
import { DEFAULT_HEAD, type AccuracyEstimate, type ClassifierSummary } from '../../../worker/ownImagesProtocol';
import { datasetProblems, toOwnClasses, type OwnDatasetRecord } from '../../userData/ownDataset';
import { message, ownImagesTools, summaryOf, type OwnImagesEnv, type OwnImagesSlice } from './env';
import type { BackboneState, ClassifierSlice, OwnImagesState, Task } from './types';

/** The answers about the user's classes the page keeps, by state field. */
type FeatureTasks = { classifier: ClassifierSummary; estimate: AccuracyEstimate };

/** Why the classifier cannot be fitted now (null: it can), in words that say what to do. */
export function readiness(backbone: BackboneState, dataset: OwnDatasetRecord | null): string | null {
  if (!dataset) return 'Add a class and some images first.';
  const problems = datasetProblems(dataset);
  if (problems.length > 0) return problems[0];
  if (backbone.status !== 'ready') return 'Pick a backbone first (the Backbone control above).';
  return null;
}

export const createClassifierSlice =
  (env: OwnImagesEnv): OwnImagesSlice<ClassifierSlice> =>
  (set, get) => {
    const { deps } = env;
    const { current, needsFreshClassifier } = ownImagesTools(env, set, get);

    /**
     * Asks the worker something about the current image set's classes on the backbone, its answer
     * kept in `task` with the set's version; what is missing first (classes, images, backbone) is said.
     */
    const onClasses = async <K extends keyof FeatureTasks>(task: K, ask: (classes: OwnClass[]) => Promise<FeatureTasks[K]>) => {
      const put = (value: Task<FeatureTasks[K]>) => set({ [task]: value } as Partial<OwnImagesState>);
      const dataset = current();
      const problem = readiness(get().backbone, dataset);
      if (problem) {
        put({ status: 'error', message: problem });
        return;
      }
      const version = dataset!.updatedAt;
      put({ status: 'working' });
      try {
        const classes = toOwnClasses(dataset!);
        await compareRangesIfGuessed(classes);
        put({ status: 'done', result: await ask(classes), datasetVersion: version });
      } catch (error) {
        put({ status: 'error', message: message(error) });
      }
    };

    /**
     * A model from disk that does not state its input scaling (the layer names only suggest one):
     * both scalings are tried on the user's images by leave-one-out, the better one kept in the
     * worker and saved with the model, so it is asked once. Needs 2 images in every class.
     */
    const compareRangesIfGuessed = async (classes: OwnClass[]) => {
      const { backbone } = get();
      if (backbone.summary?.inputRangeSource !== 'guessed' || backbone.choice?.kind !== 'stored' || !env.loaded) return;
      if (classes.some((c) => c.images.length < 2)) return;
      const was = backbone.summary.inputRange;
      const comparison = await deps.client.compareInputRanges(env.loaded, classes);
      set((s) => ({
        backbone: s.backbone.summary ? { ...s.backbone, summary: { ...s.backbone.summary, inputRange: comparison.chosen, inputRangeSource: 'chosen' }, rangeComparison: comparison } : s.backbone,
        // A changed scaling changes every feature: what was fitted on the other one is gone.
        ...(comparison.chosen !== was && { classifier: { status: 'idle' as const }, estimate: { status: 'idle' as const } }),
      }));
      const id = backbone.choice.id;
      const model = await deps.models.get(id).catch(() => undefined);
      if (model) {
        const updated = { ...model, inputRange: comparison.chosen };
        set((s) => ({ models: s.models.map((m) => (m.id === id ? summaryOf(updated) : m)) }));
        await deps.models.put(updated).catch(() => undefined);
      }
    };

    return {
      classifierKind: 'prototype',
      head: DEFAULT_HEAD,
      classifier: { status: 'idle' },
      estimate: { status: 'idle' },
      classification: { status: 'idle' },

      setClassifierKind(kind) {
        set({ classifierKind: kind, classifier: { status: 'idle' }, estimate: { status: 'idle' } });
      },

      setHead(patch) {
        set((s) => ({ head: { ...s.head, ...patch }, classifier: { status: 'idle' }, estimate: { status: 'idle' } }));
      },

      adapt: () =>
        onClasses('classifier', (classes) =>
          deps.client.fitClassifier({ classifierId: env.nextId('classifier'), backboneId: env.loaded!, kind: get().classifierKind, classes, head: get().head }),
        ),

      estimateAccuracy: (protocol) =>
        onClasses('estimate', (classes) => deps.client.estimateAccuracy({ backboneId: env.loaded!, kind: get().classifierKind, classes, protocol, head: get().head })),

      async ensureClassifier() {
        // A classifier from an imported model needs no fitting; one from the user's classes is
        // (re)fitted when the classes changed since, so the answer matches what the page shows.
        if (!get().backbone.summary?.classifier && needsFreshClassifier()) await get().adapt();
        return get().classifier.status === 'done' && !!get().classifier.result;
      },

      async classify(bytes, imageUrl, name = 'image') {
        const previous = get().classification.imageUrl;
        if (previous && previous !== imageUrl) URL.revokeObjectURL?.(previous);
        set({ classification: { status: 'working', imageUrl, name } });
        if (!(await get().ensureClassifier())) {
          set({ classification: { status: 'error', imageUrl, name, message: get().classifier.message ?? 'Adapt to your classes first.' } });
          return;
        }
        try {
          const result = await deps.client.classify(get().classifier.result!.classifierId, [bytes], [name]);
          set({ classification: { status: 'done', result, imageUrl, name } });
        } catch (error) {
          set({ classification: { status: 'error', imageUrl, name, message: message(error) } });
        }
      },
    };
  };
