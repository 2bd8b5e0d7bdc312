import {
  consumerFunctionOf,
  DEFAULT_PAYMENT_REVIEW_LIMIT_MINOR,
  ENV,
  queueSettingsOf,
  RESOURCE_PREFIX,
  TABLES,
  type TableId,
} from '../../functions/shared/resources';
import {
  analytics,
  healthRecord,
  notification,
  payment,
  TASK_CLASSES,
} from '../../functions/shared/task-classes';
import {
  allowedActionsOf,
  arnOf,
  findResourceBy,
  grantsOf,
  resourcesOfType,
  synthesizeStack,
  TEST_PROVIDER_URL,
} from './stack-template';

const template = synthesizeStack();

/** Item reads and writes, including the checks of a transaction. */
const WRITE = [
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

/** Writes that add items but never update or delete one. */
const APPEND = [
  'dynamodb:ConditionCheckItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
];

/** Table actions each consumer needs, as the consumers' code uses them. */
const EXPECTED_TABLE_ACTIONS: Record<
  string,
  Partial<Record<TableId, string[]>>
> = {
  [payment.name]: {
    tasks: WRITE,
    idempotency: WRITE,
    ledger: WRITE,
    audit: APPEND,
  },
  [healthRecord.name]: {
    tasks: WRITE,
    idempotency: WRITE,
    healthRecords: WRITE,
    audit: APPEND,
  },
  [notification.name]: { tasks: WRITE, idempotency: WRITE },
  [analytics.name]: { tasks: WRITE, idempotency: WRITE, analytics: WRITE },
};

/**
 * Actions on the consumer's own queue: those the event source mapping
 * polls with, and ChangeMessageVisibility, which applies the backoff.
 */
const QUEUE_ACTIONS = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];

const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

const tableIdOf = (tableId: TableId): string =>
  findResourceBy(
    template,
    'AWS::DynamoDB::Table',
    'TableName',
    TABLES[tableId].tableName,
  )[0];

const queueIdOf = (queueName: string): string =>
  findResourceBy(template, 'AWS::SQS::Queue', 'QueueName', queueName)[0];

describe.each(TASK_CLASSES)('$name consumer', (definition) => {
  const settings = queueSettingsOf(definition);
  const [functionId, fn] = findResourceBy(
    template,
    'AWS::Lambda::Function',
    'FunctionName',
    `${RESOURCE_PREFIX}-${consumerFunctionOf(definition.name)}`,
  );
  const environment = (
    fn.Properties.Environment as { Variables: Record<string, unknown> }
  ).Variables;

  it('runs the bundle on Node.js 22 arm64', () => {
    // Assess
    expect(fn.Properties.Runtime).toBe('nodejs22.x');
    expect(fn.Properties.Architectures).toEqual(['arm64']);
    expect(fn.Properties.Handler).toBe('index.handler');
  });

  it('takes timeout and memory from its class', () => {
    // Assess
    expect(fn.Properties.Timeout).toBe(definition.consumer.timeoutSeconds);
    expect(fn.Properties.MemorySize).toBe(definition.consumer.memorySizeMb);
  });

  it('logs to a log group kept one month', () => {
    // Prepare
    const logGroupRef = (
      fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }
    ).LogGroup.Ref;

    // Act
    const logGroup = resourcesOfType(template, 'AWS::Logs::LogGroup')[
      logGroupRef
    ];

    // Assess
    expect(logGroup?.Properties.RetentionInDays).toBe(30);
  });

  it('sets the Powertools variables', () => {
    // Assess
    expect(environment.POWERTOOLS_SERVICE_NAME).toBe('ekbar');
    expect(environment.POWERTOOLS_METRICS_NAMESPACE).toBe('ekbar');
    expect(environment.POWERTOOLS_LOG_LEVEL).toBe('INFO');
  });

  it('reads its own queue and DLQ URLs', () => {
    // Assess
    expect(environment[ENV.queueUrl]).toEqual({
      Ref: queueIdOf(settings.queueName),
    });
    expect(environment[ENV.dlqUrl]).toEqual({
      Ref: queueIdOf(settings.dlqName),
    });
  });

  describe('event source', () => {
    const [, mapping] = findResourceBy(
      template,
      'AWS::Lambda::EventSourceMapping',
      'EventSourceArn',
      arnOf(queueIdOf(settings.queueName)),
    );

    it('invokes this consumer', () => {
      // Assess
      expect(mapping.Properties.FunctionName).toEqual({ Ref: functionId });
    });

    it('reports batch item failures', () => {
      // Assess
      expect(mapping.Properties.FunctionResponseTypes).toEqual([
        'ReportBatchItemFailures',
      ]);
    });

    it('takes the batch size of its class', () => {
      // Assess
      expect(mapping.Properties.BatchSize).toBe(definition.consumer.batchSize);
    });

    it('has no batching window', () => {
      // Assess
      expect(mapping.Properties.MaximumBatchingWindowInSeconds).toBeUndefined();
    });
  });

  describe('permissions', () => {
    const allowed = allowedActionsOf(template, functionId);

    it('are exactly its queue, DLQ, tables and logs', () => {
      // Prepare
      const logGroupId = (
        fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }
      ).LogGroup.Ref;
      const pairs = (actions: string[], resourceId: string): string[] =>
        actions.map((action) => `${action} ${resourceId}`);
      const tableActions = Object.entries(
        EXPECTED_TABLE_ACTIONS[definition.name] ?? {},
      ) as [TableId, string[]][];
      const expected = [
        ...pairs(QUEUE_ACTIONS, queueIdOf(settings.queueName)),
        ...pairs(['sqs:SendMessage'], queueIdOf(settings.dlqName)),
        ...tableActions.flatMap(([tableId, actions]) =>
          pairs(actions, tableIdOf(tableId)),
        ),
        ...pairs(LOG_ACTIONS, logGroupId),
      ].sort();

      // Act
      const grants = grantsOf(template, functionId);

      // Assess
      expect(grants).toEqual(expected);
    });

    it('grant no table scans, queries or batch writes', () => {
      // Act
      const actions = [...allowed.values()].flatMap((set) => [...set]);

      // Assess
      expect(actions).not.toContain('dynamodb:Scan');
      expect(actions).not.toContain('dynamodb:Query');
      expect(actions).not.toContain('dynamodb:BatchWriteItem');
      expect(actions).not.toContain('dynamodb:*');
    });

    it('keep the audit trail append-only', () => {
      // Act
      const auditActions = allowed.get(tableIdOf('audit')) ?? new Set();

      // Assess
      expect(auditActions.has('dynamodb:UpdateItem')).toBe(false);
      expect(auditActions.has('dynamodb:DeleteItem')).toBe(false);
    });

    it('never send to its own queue', () => {
      // Act
      const actions = allowed.get(queueIdOf(settings.queueName)) ?? new Set();

      // Assess
      expect(actions.has('sqs:SendMessage')).toBe(false);
    });
  });
});

describe('class-specific consumer variables', () => {
  const environmentOf = (className: string): Record<string, unknown> => {
    const [, fn] = findResourceBy(
      template,
      'AWS::Lambda::Function',
      'FunctionName',
      `${RESOURCE_PREFIX}-${consumerFunctionOf(className)}`,
    );
    return (fn.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
  };

  it('gives payment the default review limit', () => {
    // Assess
    expect(environmentOf(payment.name)[ENV.paymentReviewLimit]).toBe(
      String(DEFAULT_PAYMENT_REVIEW_LIMIT_MINOR),
    );
  });

  it('gives notification the provider URL', () => {
    // Assess
    expect(environmentOf(notification.name)[ENV.notificationProviderUrl]).toBe(
      TEST_PROVIDER_URL,
    );
  });
});
