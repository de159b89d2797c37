// The page's client keeps what it needs to survive a crashed worker for runs it resumed from a kept
// checkpoint and runs it restored from a kept state: after a crash the new worker gets the resumed
// run again from its checkpoint (the steps the page shows not sent twice) and the restored run again
// from its state. A scripted worker that answers every request stands in for the real one.
import { describe, expect, it } from 'vitest';
import { ComputeClient, type ClientEvent } from '../../src/worker/client';
import type { Checkpoint, Request, RunConfig } from '../../src/worker/protocol';

/** A worker that accepts every request; `crash` makes it fail as a dead worker does. */
class ScriptedWorker {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: { message: string; preventDefault(): void }) => void) | null = null;
  constructor(readonly requests: Request[]) {}
  postMessage(request: Request): void {
    this.requests.push(request);
    const value = request.type === 'start' ? { metaBatch: 1 } : request.type === 'init' ? { backend: 'wasm', info: '', reason: '' } : null;
    queueMicrotask(() => this.onmessage?.({ data: { type: 'reply', id: request.id, ok: true, value } }));
  }
  terminate(): void {}
  crash(): void {
    this.onerror?.({ message: 'out of memory', preventDefault: () => {} });
  }
}

const config: RunConfig = { datasetId: 'glyphs', sampler: { way: 5, shot: 1, query: 5 }, method: 'protonet', steps: 20, seed: 1 };
const checkpoint: Checkpoint = { step: 7, elapsed: 3.5, state: { 'params/w': { shape: [1], values: new Float32Array([1]) } } };
const kept = { 'params/w': { shape: [1], values: new Float32Array([2]) } };

describe('compute client: resumed and restored runs', () => {
  it('records a resumed run as training from its checkpoint and a restored run as finished; after a crash it resumes and restores them again', async () => {
    const requests: Request[] = [];
    const workers: ScriptedWorker[] = [];
    const client = new ComputeClient({
      createWorker: () => {
        const worker = new ScriptedWorker(requests);
        workers.push(worker);
        return worker as unknown as Worker;
      },
    });
    await client.init('wasm');
    await client.loadDataset('glyphs', { kind: 'glyphs' });
    await client.start('resumed', config, { checkpoint, shownSteps: 9 });
    await client.restore('restored', config, kept);
    expect(requests.find((r) => r.type === 'start')).toMatchObject({ runId: 'resumed', resume: { checkpoint, shownSteps: 9 } });
    expect(requests.find((r) => r.type === 'restore')).toMatchObject({ runId: 'restored', config, state: kept });
    expect(client.run('resumed')).toMatchObject({ status: 'training', checkpoint, shownSteps: 9, points: [] });
    expect(client.run('restored')).toMatchObject({ status: 'done', checkpoint: null });

    const restarted = new Promise<ClientEvent>((resolve) => client.on((e) => e.type === 'restarted' && resolve(e)));
    const before = requests.length;
    workers[0].crash();
    expect(await restarted).toMatchObject({ message: expect.stringMatching(/resumed resumed from step 7/) });
    const again = requests.slice(before);
    expect(again.map((r) => r.type)).toEqual(['init', 'loadDataset', 'restore', 'start']);
    expect(again[2]).toMatchObject({ runId: 'restored', state: kept });
    // The page shows 9 steps (more than the checkpoint's 7): steps 8 and 9 are trained again, not sent again.
    expect(again[3]).toMatchObject({ runId: 'resumed', resume: { checkpoint, shownSteps: 9 } });
    client.terminate();
  });
});
