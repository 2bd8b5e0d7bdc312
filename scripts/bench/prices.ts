/**
 * On-demand prices in ap-south-1 (Asia Pacific, Mumbai), in US dollars,
 * as listed on the AWS pricing pages in mid-2025. They are an estimate
 * that must be checked against the live pages before any decision: the
 * free tiers are left out, and the DynamoDB figures are those after the
 * on-demand price cut of November 2024.
 */
export const PRICES = {
  region: 'ap-south-1',
  currency: 'USD',
  source:
    'AWS pricing pages for Lambda, SQS and DynamoDB, as listed in mid-2025; an estimate to check against the live pages',
  /** Lambda requests, per million invocations. */
  lambdaRequestPerMillion: 0.2,
  /** Lambda duration on arm64, per GB-second, first pricing tier. */
  lambdaArmGbSecond: 0.0000133334,
  /** SQS FIFO requests, per million; each 64 KB of payload is a request. */
  sqsFifoRequestPerMillion: 0.5,
  /** DynamoDB on-demand write request units, per million (about). */
  dynamodbWriteUnitPerMillion: 0.71,
  /** DynamoDB on-demand read request units, per million (about). */
  dynamodbReadUnitPerMillion: 0.142,
} as const;

/**
 * Memory at which Lambda gives a function the equivalent of one vCPU, in
 * MB (AWS Lambda developer guide, "Configure Lambda function memory"). CPU
 * share scales with memory, so CPU-bound work costs about the same
 * GB-seconds at any memory size up to this one.
 */
export const LAMBDA_MB_PER_VCPU = 1_769;
