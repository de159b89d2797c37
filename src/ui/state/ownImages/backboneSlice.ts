// The backbone the features come from: a pretrained model (downloaded when the user asks, then kept),
// a model kept in the browser (imported from disk or exported here), or a playground run; its feature
// layer and input range; and the kept models. The worker holds one backbone at a time.
import type { BackboneSource, ModelFiles } from '../../../worker/ownImagesProtocol';
import { modelFilesBytes, type ModelRecord } from '../../models/modelStore';
import { pretrainedModel } from '../../models/pretrainedModels';
import type { UserFile } from '../../userData/ingest';
import { message, ownImagesTools, sourceOfRecord, summaryOf, type OwnImagesEnv, type OwnImagesSlice } from './env';
import { backboneRuns, backendReady, keptRunSource, sameRuns } from './playgroundRuns';
import type { BackboneChoice, BackboneSlice } from './types';

/**
 * The name a picked model is kept under: its model.json's file name ("shapes.json" -> "shapes");
 * when the file is plainly "model.json", the folder it was picked from; when it was picked without
 * its folder, the name the model gives itself (a Keras model's, e.g. "mobilenetv2_1.00_224"); else
 * its weight file's name when that says more than "group1-shard1of1"; "model" only as a last resort.
 */
export function modelNameOf(files: readonly UserFile[], modelJson?: unknown): string {
  const json = files.find((f) => /\.json$/i.test(f.path));
  if (!json) return 'model';
  const parts = json.path.split('/');
  const base = parts.pop()!.replace(/\.json$/i, '');
  if (base && base.toLowerCase() !== 'model') return base;
  if (parts.length > 0) return parts.pop()!;
  const own = topologyName(modelJson);
  if (own) return own;
  const weight = files.find((f) => /\.bin$/i.test(f.path))?.path.split('/').pop()!.replace(/(\.weights)?\.bin$/i, '');
  if (weight && !/^group\d+-shard\d+of\d+$/i.test(weight)) return weight;
  return 'model';
}

/** A Keras model's own name in model.json (modelTopology.model_config.config.name or modelTopology.config.name). */
function topologyName(modelJson: unknown): string | null {
  const topology = (modelJson as { modelTopology?: { model_config?: { config?: { name?: unknown } }; config?: { name?: unknown } } } | undefined)?.modelTopology;
  const name = topology?.model_config?.config?.name ?? topology?.config?.name;
  return typeof name === 'string' && name.trim() !== '' && name.trim().toLowerCase() !== 'model' ? name.trim() : null;
}

export const createBackboneSlice =
  (env: OwnImagesEnv): OwnImagesSlice<BackboneSlice> =>
  (set, get) => {
    const { deps } = env;
    const { saveNewModel } = ownImagesTools(env, set, get);
    let download: AbortController | null = null;

    // The playground's runs change often (progress); only a change of the finished runs is passed on.
    deps.playground.subscribe(() => {
      const runs = backboneRuns(deps.playground);
      if (!sameRuns(runs, get().trainedRuns)) set({ trainedRuns: runs });
    });

    const loadIntoWorker = async (source: BackboneSource, choice: BackboneChoice) => {
      if (env.loaded) {
        const previous = env.loaded;
        env.loaded = null;
        void deps.client.disposeBackbone(previous).catch(() => undefined);
      }
      const backboneId = env.nextId('backbone');
      set((s) => ({ backbone: { ...s.backbone, choice, status: 'loading', message: undefined, progress: undefined } }));
      try {
        await backendReady(deps.playground);
        const summary = await deps.client.loadBackbone(backboneId, source);
        env.loaded = backboneId;
        const kind = summary.classifiers.includes(get().classifierKind) ? get().classifierKind : summary.classifiers[0];
        set({
          backbone: { choice, status: 'ready', summary },
          classifierKind: kind ?? get().classifierKind,
          classifier: summary.classifier ? { status: 'done', result: summary.classifier } : { status: 'idle' },
          estimate: { status: 'idle' },
          classification: { status: 'idle' },
        });
      } catch (error) {
        set({ backbone: { choice, status: 'error', message: message(error) }, classifier: { status: 'idle' } });
      }
    };

    /** A kept model with a changed setting (layer, input range): saved, then loaded again. */
    const reloadWith = async (patch: Partial<Pick<ModelRecord, 'layer' | 'inputRange'>>) => {
      const { choice } = get().backbone;
      if (!choice || choice.kind === 'run') return;
      const model = await deps.models.get(choice.id).catch(() => undefined);
      if (!model) return;
      const updated = { ...model, ...patch };
      set((s) => ({ models: s.models.map((m) => (m.id === updated.id ? summaryOf(updated) : m)) }));
      await deps.models.put(updated).catch(() => undefined);
      await loadIntoWorker(sourceOfRecord(updated), choice);
    };

    return {
      trainedRuns: backboneRuns(deps.playground),
      models: [],
      backbone: { choice: null, status: 'none' },

      async chooseBackbone(choice) {
        download?.abort();
        if (choice.kind === 'run') {
          // A run is known to the user by its name in the history, not by its id.
          const run = get().trainedRuns.find((r) => r.id === choice.runId);
          const name = run && `${run.name} (${run.datasetLabel})`;
          if (!run || run.live) {
            await loadIntoWorker({ kind: 'run', runId: choice.runId, name }, choice);
            return;
          }
          set({ backbone: { choice, status: 'loading' } });
          const source = await keptRunSource(deps, run, name!);
          if (typeof source === 'string') set({ backbone: { choice, status: 'error', message: source } });
          else await loadIntoWorker(source, choice);
          return;
        }
        if (choice.kind === 'stored') {
          const model = await deps.models.get(choice.id).catch(() => undefined);
          if (!model) {
            set({ backbone: { choice, status: 'error', message: 'This model is no longer in the browser; import it again.' } });
            return;
          }
          await loadIntoWorker(sourceOfRecord(model), choice);
          return;
        }
        const pretrained = pretrainedModel(choice.id);
        if (!pretrained) return;
        const controller = new AbortController();
        download = controller;
        // From the browser's store when kept there; otherwise downloaded now, the user having asked.
        set({ backbone: { choice, status: 'downloading', progress: { done: 0, total: pretrained.approximateBytes, what: 'bytes' } } });
        let model: ModelRecord;
        try {
          model = await deps.loadPretrained(pretrained, {
            signal: controller.signal,
            onProgress: (done, total) => set((s) => ({ backbone: { ...s.backbone, progress: { done, total, what: 'bytes' } } })),
          });
        } catch (error) {
          const aborted = controller.signal.aborted;
          set({ backbone: { choice, status: aborted ? 'none' : 'error', message: aborted ? 'Download cancelled; nothing was kept.' : message(error) } });
          return;
        } finally {
          if (download === controller) download = null;
        }
        const kept = model;
        set((s) => ({ models: [summaryOf(kept), ...s.models.filter((m) => m.id !== kept.id)] }));
        await loadIntoWorker(sourceOfRecord(model), choice);
      },

      cancelDownload() {
        download?.abort();
      },

      setFeatureLayer: (layer) => reloadWith({ layer }),
      setInputRange: (inputRange) => reloadWith({ inputRange }),

      async importModel(files) {
        let picked: ModelFiles;
        try {
          picked = await deps.readModelFiles(files);
        } catch (error) {
          set((s) => ({ backbone: { ...s.backbone, status: s.backbone.summary ? 'ready' : 'error', message: message(error) } }));
          return;
        }
        const record = await saveNewModel({
          id: env.nextId('model'),
          name: modelNameOf(files, picked.modelJson),
          origin: 'file',
          files: picked,
          bytes: modelFilesBytes(picked),
          savedAt: env.now(),
        });
        await loadIntoWorker(sourceOfRecord(record), { kind: 'stored', id: record.id });
      },

      async deleteModel(id) {
        set((s) => ({ models: s.models.filter((m) => m.id !== id) }));
        try {
          await deps.models.delete(id);
        } catch (error) {
          set({ notice: message(error) });
        }
      },
    };
  };
