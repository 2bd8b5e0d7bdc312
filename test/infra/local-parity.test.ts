import {
  consumerFunctionOf,
  dlqAttributes,
  ENV,
  FUNCTION_SERVICE_NAME,
  INGEST_FUNCTION,
  queueAttributesOf,
  queueSettingsOf,
  RESOURCE_PREFIX,
  TABLES,
  type TableId,
} from '../../functions/shared/resources';
import { ROUTES } from '../../functions/shared/routes';
import {
  notification,
  payment,
  TASK_CLASSES,
} from '../../functions/shared/task-classes';
import {
  type ClassQueues,
  consumerEnvironment,
  ingestEnvironment,
} from '../../scripts/local/provision';
import {
  arnOf,
  findResourceBy,
  resourcesOfType,
  synthesizeStack,
  type TemplateResource,
} from './stack-template';

/**
 * The local runtime and the stack must configure the same thing. Each test
 * compares what the local runtime gets from the shared declarations with
 * what the synthesized template contains.
 */
const template = synthesizeStack();

/** Variables only the deployed functions get. The local runtime sets its own. */
const POWERTOOLS_VARIABLES = [
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
];

/** Variables of one class's consumer that come from stack props. */
const CLASS_VARIABLES: Record<string, string[]> = {
  [payment.name]: [ENV.paymentReviewLimit],
  [notification.name]: [ENV.notificationProviderUrl],
};

const findQueue = (queueName: string): [string, TemplateResource] =>
  findResourceBy(template, 'AWS::SQS::Queue', 'QueueName', queueName);

const findFunction = (bundleName: string): TemplateResource =>
  findResourceBy(
    template,
    'AWS::Lambda::Function',
    'FunctionName',
    `${RESOURCE_PREFIX}-${bundleName}`,
  )[1];

const variablesOf = (fn: TemplateResource): Record<string, unknown> =>
  (fn.Properties.Environment as { Variables: Record<string, unknown> })
    .Variables;

/** Queue URLs as the local runtime would have them. Only names matter. */
const localQueuesOf = (className: string): ClassQueues => ({
  className,
  queueUrl: `http://127.0.0.1/000000000000/${className}`,
  dlqUrl: `http://127.0.0.1/000000000000/${className}-dlq`,
});

describe.each(TASK_CLASSES)('$name queue parity', (definition) => {
  const settings = queueSettingsOf(definition);
  const [dlqId, dlq] = findQueue(settings.dlqName);
  const [queueId, queue] = findQueue(settings.queueName);
  const local = queueAttributesOf(settings, 'arn:local:dlq');

  it.each([
    'VisibilityTimeout',
    'MessageRetentionPeriod',
    'FifoQueue',
    'ContentBasedDeduplication',
  ])('matches the local %s', (attribute) => {
    // Assess
    expect(String(queue.Properties[attribute])).toBe(local[attribute]);
  });

  it('matches the local attribute set', () => {
    // Act
    const missing = Object.keys(local).filter(
      (attribute) => queue.Properties[attribute] === undefined,
    );

    // Assess
    expect(missing).toEqual([]);
  });

  it('matches the local maxReceiveCount', () => {
    // Prepare
    const localRedrive = JSON.parse(local.RedrivePolicy as string);

    // Act
    const redrive = queue.Properties.RedrivePolicy as {
      maxReceiveCount: number;
      deadLetterTargetArn: unknown;
    };

    // Assess
    expect(redrive.maxReceiveCount).toBe(localRedrive.maxReceiveCount);
    expect(redrive.deadLetterTargetArn).toEqual(arnOf(dlqId));
  });

  it.each(Object.entries(dlqAttributes()))(
    'matches the local DLQ %s',
    (attribute, value) => {
      // Assess
      expect(String(dlq.Properties[attribute])).toBe(value);
    },
  );

  it('matches the local batch size', () => {
    // Act
    const [, mapping] = findResourceBy(
      template,
      'AWS::Lambda::EventSourceMapping',
      'EventSourceArn',
      arnOf(queueId),
    );

    // Assess
    expect(mapping.Properties.BatchSize).toBe(settings.batchSize);
  });
});

describe.each(Object.keys(TABLES) as TableId[])(
  '%s table parity',
  (tableId) => {
    const settings = TABLES[tableId] as (typeof TABLES)[TableId] & {
      sortKey?: string;
      timeToLiveAttribute?: string;
    };
    const [, table] = findResourceBy(
      template,
      'AWS::DynamoDB::Table',
      'TableName',
      settings.tableName,
    );

    it('matches the key schema', () => {
      // Prepare
      const expected = [
        { AttributeName: settings.partitionKey, KeyType: 'HASH' },
        ...(settings.sortKey
          ? [{ AttributeName: settings.sortKey, KeyType: 'RANGE' }]
          : []),
      ];

      // Assess
      expect(table.Properties.KeySchema).toEqual(expected);
    });

    it('declares every key as a string', () => {
      // Prepare
      const keys = [settings.partitionKey, settings.sortKey].filter(
        (key): key is string => key !== undefined,
      );

      // Assess
      expect(table.Properties.AttributeDefinitions).toEqual(
        keys.map((key) => ({ AttributeName: key, AttributeType: 'S' })),
      );
    });

    it('matches the time-to-live attribute', () => {
      // Prepare
      const expected = settings.timeToLiveAttribute
        ? { AttributeName: settings.timeToLiveAttribute, Enabled: true }
        : undefined;

      // Assess
      expect(table.Properties.TimeToLiveSpecification).toEqual(expected);
    });
  },
);

describe('API parity', () => {
  it('has the methods and resources of ROUTES', () => {
    // Prepare
    const resources = resourcesOfType(template, 'AWS::ApiGateway::Resource');
    const pathOf = (parentId: unknown, part: string): string => {
      const ref = (parentId as { Ref?: string }).Ref;
      const parent = ref === undefined ? undefined : resources[ref];
      const prefix = parent
        ? pathOf(
            parent.Properties.ParentId,
            parent.Properties.PathPart as string,
          )
        : '';
      return `${prefix}/${part}`;
    };

    // Act
    const routes = Object.values(
      resourcesOfType(template, 'AWS::ApiGateway::Method'),
    ).map((method) => {
      const resourceId = (method.Properties.ResourceId as { Ref: string }).Ref;
      const resource = resources[resourceId] as TemplateResource;
      const path = pathOf(
        resource.Properties.ParentId,
        resource.Properties.PathPart as string,
      );
      return `${method.Properties.HttpMethod} ${path}`;
    });

    // Assess
    expect(routes.sort()).toEqual(
      ROUTES.map((route) => `${route.method} ${route.resource}`).sort(),
    );
  });
});

describe('function environment parity', () => {
  it('gives ingest the local variable names', () => {
    // Prepare
    const local = ingestEnvironment({
      queues: TASK_CLASSES.map((definition) => localQueuesOf(definition.name)),
    });
    const expected = [...Object.keys(local), ...POWERTOOLS_VARIABLES].sort();

    // Act
    const names = Object.keys(variablesOf(findFunction(INGEST_FUNCTION)));

    // Assess
    expect(names.sort()).toEqual(expected);
  });

  it.each(TASK_CLASSES)(
    'gives the $name consumer the local variable names',
    (definition) => {
      // Prepare
      const local = consumerEnvironment(localQueuesOf(definition.name));
      const expected = [
        ...Object.keys(local),
        ...POWERTOOLS_VARIABLES,
        ...(CLASS_VARIABLES[definition.name] ?? []),
      ].sort();

      // Act
      const names = Object.keys(
        variablesOf(findFunction(consumerFunctionOf(definition.name))),
      );

      // Assess
      expect(names.sort()).toEqual(expected);
    },
  );

  it.each(TASK_CLASSES)(
    'gives the $name consumer the local table names',
    (definition) => {
      // Prepare
      const local = consumerEnvironment(localQueuesOf(definition.name));
      const tableVariables = Object.entries(local).filter(
        ([name]) => name !== ENV.queueUrl && name !== ENV.dlqUrl,
      );

      // Act
      const variables = variablesOf(
        findFunction(consumerFunctionOf(definition.name)),
      );

      // Assess
      for (const [name, value] of tableVariables) {
        expect(variables[name]).toBe(value);
      }
    },
  );

  it('uses the local Powertools service name', () => {
    // Act
    const variables = variablesOf(findFunction(INGEST_FUNCTION));

    // Assess
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe(FUNCTION_SERVICE_NAME);
  });
});
