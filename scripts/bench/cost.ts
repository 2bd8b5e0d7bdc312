import { LAMBDA_MB_PER_VCPU, PRICES } from './prices';
import { type RequestSummary, sqsTotal } from './results';

/** Dollars per million tasks, by what is billed. */
export interface CostPerMillion {
  readonly dynamodb: number;
  readonly sqs: number;
  readonly lambdaRequests: number;
  /** Duration of CPU-bound work only; waiting for AWS is not included. */
  readonly lambdaCompute: number;
  readonly total: number;
}

/** Usage of one new task: its requests, invocations and CPU time. */
export interface TaskUsage {
  readonly ingest: RequestSummary;
  readonly consumer: RequestSummary;
  /** Lambda invocations per task: one ingest plus a share of a batch. */
  readonly invocations: number;
  /** CPU microseconds per task, ingest and consumer together. */
  readonly cpuUs: number;
  /** Write request units per written item: 1 for items up to 1 KB. */
  readonly writeUnitsPerItem: number;
}

/**
 * Write request units of a summary. A standard write bills one unit per
 * KB of item, a transactional write two. A write whose condition fails,
 * or a cancelled transaction, is assumed to bill like one that succeeds
 * (an upper bound, to be checked against the DynamoDB pricing page).
 */
const writeUnitsOf = (summary: RequestSummary, unitsPerItem: number) =>
  (summary.writeItems + 2 * summary.transactionItems) * unitsPerItem;

/**
 * Estimates the cost of a million new tasks of one class: ingest of a new
 * request plus the consumer's new-task path, with the event source's
 * receives and deletes. CPU time becomes Lambda duration as if the work
 * ran on one vCPU, which a function has at 1,769 MB; below that it runs
 * proportionally longer at a proportionally lower price per second, so
 * the cost is the same.
 */
export const costPerMillion = (usage: TaskUsage): CostPerMillion => {
  const million = 1_000_000;
  const dynamodb =
    (writeUnitsOf(usage.ingest, usage.writeUnitsPerItem) +
      writeUnitsOf(usage.consumer, usage.writeUnitsPerItem)) *
      PRICES.dynamodbWriteUnitPerMillion +
    (usage.ingest.readItems + usage.consumer.readItems) *
      PRICES.dynamodbReadUnitPerMillion;
  const sqs =
    (sqsTotal(usage.ingest) + sqsTotal(usage.consumer)) *
    PRICES.sqsFifoRequestPerMillion;
  const lambdaRequests = usage.invocations * PRICES.lambdaRequestPerMillion;
  const gbSecondsPerTask =
    (usage.cpuUs / million) * (LAMBDA_MB_PER_VCPU / 1024);
  const lambdaCompute = gbSecondsPerTask * PRICES.lambdaArmGbSecond * million;
  return {
    dynamodb,
    sqs,
    lambdaRequests,
    lambdaCompute,
    total: dynamodb + sqs + lambdaRequests + lambdaCompute,
  };
};
