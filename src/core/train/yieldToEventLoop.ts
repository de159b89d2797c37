// Lets the host's event loop run between training or evaluation steps. tfjs resolves the promises
// of a step as microtasks on wasm and cpu, so a loop of steps never returns to the event loop: a
// Web Worker would not see "pause" or "stop" until the run ended, and Node would not see Ctrl-C.
// Node: setImmediate (one turn of the loop, signals included). Browsers: a MessageChannel round
// trip, a macrotask without setTimeout's 4 ms clamp. Taken at most every 20 ms, so fast steps
// lose almost nothing.

const EVERY_MS = 20;

type Scheduler = (callback: () => void) => void;

function macrotaskScheduler(): Scheduler {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') return (callback) => void immediate(callback);
  if (typeof MessageChannel === 'function') {
    // A browser port keeps nothing alive, unlike an open port in Node (hence setImmediate there).
    const channel = new MessageChannel();
    const waiting: Array<() => void> = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return (callback) => {
      waiting.push(callback);
      channel.port2.postMessage(0);
    };
  }
  return (callback) => void setTimeout(callback, 0);
}

export function eventLoopYielder(): () => Promise<void> {
  const schedule = macrotaskScheduler();
  let last = performance.now();
  return async () => {
    if (performance.now() - last < EVERY_MS) return;
    await new Promise<void>((resolve) => schedule(resolve));
    last = performance.now();
  };
}
