import type { SQSEvent } from 'aws-lambda';
import { type BenchContext, submitEventOf } from './bench-context';
import type { Exchange } from './canned-aws';
import type { Recording } from './requests-phase';
import type { CpuFigures, ScenarioSet } from './results';
import { percentile } from './stats';

/** Iterations of each scenario; warm-up iterations are not measured. */
export interface CpuSettings {
  readonly warmup: number;
  readonly iterations: number;
}

/**
 * Times one scenario with every AWS call served from its tape. The
 * sample is process CPU time (user plus system, all threads, so garbage
 * collection counts) per call, divided by `perCall` to give a figure per
 * record for a batch.
 */
const timeScenario = async (
  context: BenchContext,
  tape: Exchange[],
  call: () => Promise<unknown>,
  settings: CpuSettings,
  perCall: number,
): Promise<CpuFigures> => {
  const samples: number[] = [];
  context.canned.replay(tape);
  for (let i = 0; i < settings.warmup + settings.iterations; i += 1) {
    const start = process.cpuUsage();
    await call();
    const used = process.cpuUsage(start);
    context.canned.rewind();
    if (i >= settings.warmup) {
      samples.push((used.user + used.system) / perCall);
    }
  }
  context.canned.stop();
  return {
    iterations: samples.length,
    p50Us: percentile(samples, 50),
    p99Us: percentile(samples, 99),
    meanUs: samples.reduce((sum, value) => sum + value, 0) / samples.length,
  };
};

const consumerCall = (context: BenchContext, batch: SQSEvent) => () =>
  context.consumer(batch, context.consumerContext);

/**
 * Measures CPU time per ingest request and per consumer record with AWS
 * served in-process, so that only our code and the SDK run. The request
 * counters are off meanwhile, so that their own work is not timed.
 */
export const measureCpu = async (
  context: BenchContext,
  recording: Recording,
  settings: CpuSettings,
): Promise<ScenarioSet<CpuFigures>> => {
  context.log.enabled = false;
  // The event is built once, so that building it is not timed; the
  // handler does not change it.
  const event = submitEventOf(context, 0);
  const ingestCall = () => context.ingest(event, context.ingestContext);
  try {
    return {
      ingestNew: await timeScenario(
        context,
        recording.tapes.ingestNew,
        ingestCall,
        settings,
        1,
      ),
      ingestReplay: await timeScenario(
        context,
        recording.tapes.ingestReplay,
        ingestCall,
        settings,
        1,
      ),
      consumerNew: await timeScenario(
        context,
        recording.tapes.consumerNew,
        consumerCall(context, recording.newBatch),
        settings,
        recording.newBatch.Records.length,
      ),
      consumerDuplicate: await timeScenario(
        context,
        recording.tapes.consumerDuplicate,
        consumerCall(context, recording.duplicateBatch),
        settings,
        recording.duplicateBatch.Records.length,
      ),
    };
  } finally {
    context.log.enabled = true;
  }
};
