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

  protected override async _updateRecord(
    record: IdempotencyRecord,
  ): Promise<void> {
    if (this.#folded.delete(record.idempotencyKey)) {
      return;
    }
    await super._updateRecord(record);
  }
}
