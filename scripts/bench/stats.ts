/** Returns the p-th percentile (0 to 100) by the nearest-rank method. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
};

/** Median, quartiles and extremes of a sample. */
export interface Spread {
  readonly min: number;
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly max: number;
}

export const spreadOf = (values: readonly number[]): Spread => ({
  min: Math.min(...values),
  p25: percentile(values, 25),
  median: percentile(values, 50),
  p75: percentile(values, 75),
  max: Math.max(...values),
});

/** Rounds to a number of decimals, for reports. */
export const round = (value: number, decimals = 2): number => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};
