// Quantile summary of a list of distances (used by the calibration and by the synthetic model fit).

export interface DistanceSummary {
  count: number;
  min: number;
  p01: number;
  p10: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Quantile q in [0,1] of ascending-sorted values, by linear interpolation between closest ranks. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

export function summarise(values: readonly number[]): DistanceSummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0]!,
    p01: quantileSorted(sorted, 0.01),
    p10: quantileSorted(sorted, 0.1),
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
  };
}
