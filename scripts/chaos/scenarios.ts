/** Faults of one scenario; each field absent means that fault is off. */
export interface ScenarioFaults {
  /** Milliseconds the proxy adds to every AWS request. */
  readonly latencyMs?: number;
  /** Share of AWS requests, 0 to 1, whose connection the proxy resets. */
  readonly dropRate?: number;
  /** DynamoDB unreachable for `durationMs`, `startAfterMs` into the traffic. */
  readonly dynamodbOutage?: { startAfterMs: number; durationMs: number };
  /** Random SIGKILLs of busy ingest and consumer processes. */
  readonly kills?: { minIntervalMs: number; maxIntervalMs: number };
  /**
   * Chance, 0 to 1, that a function kills itself right after an effect
   * (a committed transaction or a provider delivery) and before it could
   * record or report it.
   */
  readonly powerCutRate?: number;
  /** Largest clock offset of a function process, in milliseconds. */
  readonly clockSkewMaxMs?: number;
}

/** A named failure scenario. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly faults: ScenarioFaults;
  /** Whether consumer idempotency and queue deduplication are on. */
  readonly protection: boolean;
}

const POWER_FLUCTUATION: ScenarioFaults = {
  kills: { minIntervalMs: 300, maxIntervalMs: 2_500 },
  powerCutRate: 0.03,
};

/**
 * The four failure modes of the region the product targets: 500 ms round
 * trips and 1% packet loss in the monsoon, power cuts, clocks up to
 * ±600 ms apart and a 30 s database leader election.
 */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'monsoon',
    description:
      '500 ms added latency and 1% reset connections on every AWS call',
    faults: { latencyMs: 500, dropRate: 0.01 },
    protection: true,
  },
  {
    name: 'power-fluctuation',
    description:
      'random SIGKILL of busy ingest and consumer processes, and 3% of effects followed by a SIGKILL',
    faults: POWER_FLUCTUATION,
    protection: true,
  },
  {
    name: 'clock-skew',
    description: 'each function process reads a clock offset by up to ±600 ms',
    faults: { clockSkewMaxMs: 600 },
    protection: true,
  },
  {
    name: 'database-partition',
    description: 'DynamoDB unreachable for 30 s during the traffic',
    faults: { dynamodbOutage: { startAfterMs: 3_000, durationMs: 30_000 } },
    protection: true,
  },
];

/**
 * The control run: the power-fluctuation traffic and faults with consumer
 * idempotency off and random deduplication ids, so that redeliveries
 * repeat effects and the checker must report them.
 */
export const CONTROL: Scenario = {
  name: 'control',
  description: 'power-fluctuation faults with protection off',
  faults: POWER_FLUCTUATION,
  protection: false,
};

/** Returns the scenario with this name, the control included. */
export const findScenario = (name: string): Scenario | undefined =>
  [...SCENARIOS, CONTROL].find((scenario) => scenario.name === name);
