/** Linear warmup to `peak`, then cosine decay to `peak * minRatio` at `total` steps (nanoGPT's get_lr). */
export function cosineLr(
  step: number,
  opts: { peak: number; warmup: number; total: number; minRatio: number },
): number {
  const { peak, warmup, total, minRatio } = opts;
  if (step <= warmup) return (peak * step) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
