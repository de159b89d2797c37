// The run history kept in IndexedDB: renaming and deleting runs, importing a run's JSON export
// (with its weights when the file carries them: run.py's results.json), exporting a run for PyTorch.
import { isActive, isCurrentRunLive, isRunLive } from '../selectors';
import { playgroundTools, type PlaygroundEnv, type PlaygroundSlice } from './env';
import { fileNameFor } from '../../history/exportRun';
import { bytesOf } from './keptStates';
import type { HistorySlice } from './types';

export const createHistorySlice =
  (env: PlaygroundEnv): PlaygroundSlice<HistorySlice> =>
  (set, get) => {
    const { deps } = env;
    const { runById, updateRun } = playgroundTools(env, set, get);
    /** Does something to the history; its failure is said in historyMessage. */
    const recorded = async (work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        set({ historyMessage: (error as Error).message });
      }
    };
    return {
      historyMessage: null,

      async renameRun(runId, name) {
        const trimmed = name.trim();
        if (!trimmed) return;
        updateRun(runId, (r) => ({ ...r, name: trimmed }));
        await recorded(() => deps.history.renameRun(runId, trimmed));
      },

      async deleteRun(runId) {
        const run = runById(runId);
        if (!run) return;
        if (isRunLive(get(), runId) && isActive(run)) await deps.client.stop(runId);
        set((s) => {
          const runs = s.runs.filter((r) => r.id !== runId);
          return {
            runs,
            currentRunId: s.currentRunId === runId ? runs[0]?.id ?? null : s.currentRunId,
            overlayIds: s.overlayIds.filter((x) => x !== runId),
            // The history deletes its kept state with it.
            keptStateIds: s.keptStateIds.filter((x) => x !== runId),
          };
        });
        await recorded(() => deps.history.deleteRun(runId));
      },

      async exportRunToPytorch(runId) {
        const run = runById(runId);
        if (!run) return null;
        try {
          const weights = get().keptStateIds.includes(runId) ? await deps.history.getRunState?.(runId) : undefined;
          // Loaded on demand: it carries run.py and draws the glyphs.
          const { pytorchExportProblem, pytorchExportZip } = await import('../../history/exportPytorch');
          const problem = pytorchExportProblem(run, weights !== undefined);
          if (problem || !weights) {
            set({ historyMessage: problem });
            return null;
          }
          const folder = fileNameFor(run, '');
          return { fileName: `${folder}_pytorch.zip`, bytes: pytorchExportZip(run, weights, folder) };
        } catch (error) {
          set({ historyMessage: `${run.name} could not be exported to PyTorch (${(error as Error).message}).` });
          return null;
        }
      },

      async importRun(text, fileName) {
        // The checks are long and rarely needed: loaded when a file is imported, not with the page.
        const { IMPORT_LIMITS, parseRunExport, RunImportError, sameRunContent } = await import('../../history/importRun');
        let parsed;
        try {
          parsed = parseRunExport(text, { fileName, now: env.now() });
        } catch (error) {
          set({
            historyMessage:
              error instanceof RunImportError ? error.message : `${fileName || 'The file'} could not be imported (${(error as Error).message}); export the run again and import that file.`,
          });
          return;
        }
        const { warnings, hasCurves } = parsed;
        let run = parsed.run;
        // Equal content has an equal creation time: compare only those runs in full.
        const same = get().runs.find((r) => r.createdAt === run.createdAt && sameRunContent(r, run, { curves: hasCurves }));
        if (same) {
          set({ historyMessage: `${fileName || 'This run'} is already in your history as "${same.name}"; nothing changed.` });
          return;
        }
        const notes = [...warnings];
        if (runById(run.id)) {
          // Another run (or another state of this one) has the id: keep both, told apart by name.
          let id: string;
          do id = env.newRunId();
          while (runById(id));
          const name = `${run.name.slice(0, IMPORT_LIMITS.name - ' (imported)'.length)} (imported)`;
          notes.unshift(`Your history already has a different run with the id of "${run.name}"; the imported one was added as "${name}", and neither was changed.`);
          run = { ...run, id, name, evaluations: run.evaluations.map((e) => ({ ...e, runId: id })) };
        }
        let imported = run;
        let kept = false;
        if (parsed.state && deps.history.saveRunState) {
          // Weights in the file (run.py's): kept as the run's state before the run says so, so the
          // run can be evaluated, inspected and used as a backbone like one trained here.
          try {
            await deps.history.saveRunState(run.id, parsed.state);
            const step = Math.max(run.progress?.step ?? 0, run.points.at(-1)?.step ?? 0);
            imported = { ...run, kept: { step, elapsed: run.seconds, bytes: bytesOf(parsed.state), savedAt: env.now(), resumable: false } };
            kept = true;
          } catch (error) {
            notes.push(`Its weights were not kept (${(error as Error).message}); its results are imported.`);
          }
        }
        // Newest first in this visit (it is what the user just did); a reload sorts by creation time.
        set((s) => ({
          runs: [imported, ...s.runs],
          keptStateIds: kept && !s.keptStateIds.includes(imported.id) ? [...s.keptStateIds, imported.id] : s.keptStateIds,
          historyMessage: notes.length > 0 ? notes.join(' ') : null,
        }));
        // Show it, unless the current run is training here (switching away would hide that run's progress).
        if (!(isCurrentRunLive(get()) && isActive(runById(get().currentRunId)))) get().selectRun(imported.id);
        await recorded(() => deps.history.saveRun(imported));
      },
    };
  };
