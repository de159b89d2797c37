// Round axis ticks (1, 2 or 5 times a power of ten apart), so axes read 0, 500, 1000 rather than
// 1, 501, 1001. Shared by the training charts, the sine plot and the embedding scatter; the loss
// axis (lossAxis.ts) also takes ticks from zero and log ticks from here.

/** The round step (1, 2, 2.5 or 5 times a power of ten) at least `raw`. */
function niceStep(raw: number): number {
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
}

/** About `count` round tick values covering [min, max] (inside it). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const step = niceStep(raw);
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * Round ticks from 0 up to the first at or above `max` (> 0), about `count` intervals: the axis of a
 * quantity that cannot be negative (a loss, an MSE), so no tick below 0 and the top one not cut.
 */
export function ticksFromZero(max: number, count = 4): number[] {
  if (!Number.isFinite(max) || !(max > 0)) return [0, 1];
  const step = niceStep(max / count);
  const ticks: number[] = [];
  for (let i = 0; i === 0 || ticks[i - 1] < max * (1 - 1e-9); i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/**
 * Ticks of a log axis covering [min, max] (both > 0): at 1, 2 and 5 times the powers of ten when the
 * range is under about 1.5 powers, else at the powers of ten (every second or third one when they
 * span many, so about `count` stay). The first tick is at or below `min`, the last at or above
 * `max`: they are the axis's domain.
 */
export function logTicks(min: number, max: number, count = 6): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const low = Math.floor(Math.log10(min) + 1e-9);
  const high = Math.ceil(Math.log10(max) - 1e-9);
  const round = (v: number) => Number(v.toPrecision(12));
  if (Math.log10(max / min) < 1.5) {
    const all: number[] = [];
    for (let e = low; e <= high; e++) for (const m of [1, 2, 5]) all.push(round(m * 10 ** e));
    all.push(round(10 ** (high + 1)));
    const first = all.filter((v) => v <= min * (1 + 1e-9)).at(-1) ?? all[0];
    const last = all.find((v) => v >= max * (1 - 1e-9)) ?? all[all.length - 1];
    return all.filter((v) => v >= first && v <= last);
  }
  const stride = Math.ceil((high - low) / count);
  const top = low + Math.ceil((high - low) / stride) * stride;
  const ticks: number[] = [];
  for (let e = low; e <= top; e += stride) ticks.push(round(10 ** e));
  return ticks;
}
