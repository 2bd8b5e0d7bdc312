import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBPersistenceOptions } from '@aws-lambda-powertools/idempotency/types';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { consumerIdempotencyIdOf } from '../shared/task-store';

export type TransactItem = NonNullable<
  TransactWriteCommandInput['TransactItems']
>[number];

/**
 * Completes a Powertools idempotency record inside an effect's transaction,
 * so that the effect and its completion commit together.
 */
export interface CompletionFold {
  /** Builds the update that marks the record COMPLETED with the result. */
  item(result: Record<string, unknown>): TransactItem;
  /** Records that the transaction committed, so Powertools skips its own update. */
  committed(): void;
}

/**
 * Powertools' DynamoDB persistence layer, extended so that an effect can
 * complete the idempotency record in its own transaction. Powertools then
 * skips the separate update it would make, which saves one DynamoDB
 * request per task and closes the gap between the effect and the
 * completion record.
 */
export class FoldingPersistenceLayer extends DynamoDBPersistenceLayer {
  readonly #folded = new Set<string>();
  readonly #tableName: string;
  /** The last in-progress record that stopped a claim, and its expiry. */
  #lastHeldClaim?: { readonly id: string; readonly expiresAtMs: number };

  constructor(
    private readonly className: string,
    private readonly ttlSeconds: number,
    options: DynamoDBPersistenceOptions,
  ) {
    super(options);
    this.#tableName = options.tableName;
  }

  /** Returns the fold for one business key. */
  foldFor(businessKey: string): CompletionFold {
    const id = consumerIdempotencyIdOf(this.className, businessKey);
    return {
      item: (result) => ({
        Update: {
          TableName: this.#tableName,
          Key: { id },
          UpdateExpression:
            'SET #status = :completed, #data = :data, #expiration = :expiration',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#data': 'data',
            '#expiration': 'expiration',
          },
          ExpressionAttributeValues: {
            ':completed': 'COMPLETED',
            ':data': result,
            ':expiration': Math.floor(Date.now() / 1000) + this.ttlSeconds,
          },
        },
      }),
      committed: () => {
        this.#folded.add(id);
      },
    };
  }

  /**
   * Returns when the in-progress record that made the last claim of this
   * business key fail expires, in epoch milliseconds, or undefined when
   * the last failed claim was of another key or the record had no expiry.
   * Powertools raises IdempotencyAlreadyInProgressError without the
   * record, so the layer keeps the record it was given, and no request is
   * added.
   */
  heldClaimExpiryOf(businessKey: string): number | undefined {
    const id = consumerIdempotencyIdOf(this.className, businessKey);
    return this.#lastHeldClaim?.id === id
      ? this.#lastHeldClaim.expiresAtMs
      : undefined;
  }

  /**
   * Powertools passes here every record that stopped a claim, whether
   * DynamoDB returned it with the failed condition or Powertools read it.
   */
  override processExistingRecord(
    storedDataRecord: IdempotencyRecord,
    processedData: Parameters<
      DynamoDBPersistenceLayer['processExistingRecord']
    >[1],
  ): IdempotencyRecord {
    const record = super.processExistingRecord(storedDataRecord, processedData);
    const expiresAtMs = record.inProgressExpiryTimestamp;
    this.#lastHeldClaim =
      record.getStatus() === 'INPROGRESS' && expiresAtMs !== undefined
        ? { id: record.idempotencyKey, expiresAtMs }
        : undefined;
    return record;
  }

  protected override async _updateRecord(
    record: IdempotencyRecord,
  ): Promise<void> {
    if (this.#folded.delete(record.idempotencyKey)) {
      return;
    }
    await super._updateRecord(record);
  }
}
