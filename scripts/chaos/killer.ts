import type { FunctionPool } from '../local/function-pool';

/** Settings of the process killer. */
export interface KillerOptions {
  /** Pools whose busy processes may be killed. */
  readonly pools: readonly FunctionPool[];
  /** Minimum pause between two kills, in milliseconds. */
  readonly minIntervalMs: number;
  /** Maximum pause between two kills, in milliseconds. */
  readonly maxIntervalMs: number;
  readonly random?: () => number;
}

/** A running killer. */
export interface Killer {
  /** SIGKILLs sent so far, by function name. */
  readonly kills: Map<string, number>;
  stop(): void;
}

const pick = <T>(items: readonly T[], random: () => number): T | undefined =>
  items[Math.floor(random() * items.length)];

/**
 * Kills one random busy function process with SIGKILL after each random
 * pause, as a power cut would, so the point in the handler where it dies
 * is random too. A pause with no busy process kills nothing. The runtime
 * starts a new process in its place.
 */
export const startKiller = (options: KillerOptions): Killer => {
  const random = options.random ?? Math.random;
  const kills = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const killOne = (): void => {
    const busy = options.pools.flatMap((pool) => pool.busyInstances);
    const victim = pick(busy, random);
    if (victim?.kill('SIGKILL')) {
      kills.set(victim.functionName, (kills.get(victim.functionName) ?? 0) + 1);
    }
  };

  const schedule = (): void => {
    if (stopped) {
      return;
    }
    const span = options.maxIntervalMs - options.minIntervalMs;
    timer = setTimeout(
      () => {
        killOne();
        schedule();
      },
      options.minIntervalMs + random() * span,
    );
  };

  schedule();
  return {
    kills,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
};
