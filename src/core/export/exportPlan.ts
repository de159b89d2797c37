// A planned image experiment (after training, or before) handed to PyTorch: its method's current
// state read out of TensorFlow.js and the export folder's files made (pytorchExport.ts).
import type { ExperimentData, ExperimentPlan } from '../experiment/experimentPlan';
import type { RunConfig } from '../experiment/runConfig';
import { saveTensors } from '../nn/params';
import { pytorchExport, type ExportedFile, type PytorchExportInput } from './pytorchExport';

export async function exportPlanToPytorch(
  plan: ExperimentPlan,
  data: ExperimentData,
  config: RunConfig,
  options: Pick<PytorchExportInput, 'evaluation' | 'run' | 'runPy' | 'version' | 'now'>,
): Promise<ExportedFile[]> {
  if (data.family !== 'classification') throw new Error('Only image-classification runs can be exported to PyTorch; sine-wave regression runs stay in the browser.');
  const state = await saveTensors(plan.stateTensors());
  return pytorchExport({
    ...options,
    config,
    method: plan.method,
    metaBatch: plan.metaBatch,
    labels: plan.labels(),
    dataset: data.dataset,
    testDataset: data.testDataset,
    state,
  });
}
