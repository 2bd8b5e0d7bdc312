import {
  INGEST_FUNCTION,
  queueSettingsOf,
  queueUrlEnvOf,
  RESOURCE_PREFIX,
  TABLES,
  type TableId,
} from '../../functions/shared/resources';
import { ROUTES } from '../../functions/shared/routes';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import {
  allowedActionsOf,
  findResourceBy,
  resourcesOfType,
  synthesizeStack,
} from './stack-template';

const template = synthesizeStack();

const [ingestId, ingest] = findResourceBy(
  template,
  'AWS::Lambda::Function',
  'FunctionName',
  `${RESOURCE_PREFIX}-${INGEST_FUNCTION}`,
);

const queueIdOf = (queueName: string): string =>
  findResourceBy(template, 'AWS::SQS::Queue', 'QueueName', queueName)[0];

const tableIdOf = (tableId: TableId): string =>
  findResourceBy(
    template,
    'AWS::DynamoDB::Table',
    'TableName',
    TABLES[tableId].tableName,
  )[0];

describe('API methods', () => {
  const methods = Object.entries(
    resourcesOfType(template, 'AWS::ApiGateway::Method'),
  );

  it('match the routes in number', () => {
    // Assess
    expect(methods).toHaveLength(ROUTES.length);
  });

  it.each(methods)('%s requires an API key', (_id, method) => {
    // Assess
    expect(method.Properties.ApiKeyRequired).toBe(true);
  });

  it.each(methods)('%s proxies to the ingest function', (_id, method) => {
    // Prepare
    const integration = method.Properties.Integration as {
      Type: string;
      IntegrationHttpMethod: string;
      Uri: unknown;
    };

    // Assess
    expect(integration.Type).toBe('AWS_PROXY');
    expect(integration.IntegrationHttpMethod).toBe('POST');
    expect(JSON.stringify(integration.Uri)).toContain(`"${ingestId}"`);
  });
});

describe('API stage', () => {
  const [, stage] = findResourceBy(
    template,
    'AWS::ApiGateway::Stage',
    'StageName',
    'prod',
  );

  it('writes JSON access logs with the API key id', () => {
    // Prepare
    const setting = stage.Properties.AccessLogSetting as {
      DestinationArn: unknown;
      Format: string;
    };
    const destination = JSON.stringify(setting.DestinationArn);

    // Act
    const logGroups = Object.entries(
      resourcesOfType(template, 'AWS::Logs::LogGroup'),
    ).filter(([logGroupId]) => destination.includes(`"${logGroupId}"`));

    // Assess
    expect(logGroups).toHaveLength(1);
    expect(logGroups[0]?.[1].Properties.RetentionInDays).toBe(30);
    expect(JSON.parse(setting.Format).apiKeyId).toBe(
      '$context.identity.apiKeyId',
    );
  });

  it('throttles every method', () => {
    // Assess
    expect(stage.Properties.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      }),
    ]);
  });

  it('keeps execution logs and data tracing off', () => {
    // Prepare
    const [settings] = stage.Properties.MethodSettings as Record<
      string,
      unknown
    >[];

    // Assess
    expect(settings?.LoggingLevel).toBeUndefined();
    expect(settings?.DataTraceEnabled).not.toBe(true);
  });
});

describe('API key and usage plan', () => {
  const [planId, plan] = findResourceBy(
    template,
    'AWS::ApiGateway::UsagePlan',
    'UsagePlanName',
    `${RESOURCE_PREFIX}-default`,
  );

  it('throttles each key', () => {
    // Assess
    expect(plan.Properties.Throttle).toEqual({
      RateLimit: 50,
      BurstLimit: 100,
    });
  });

  it('caps each key with a daily quota', () => {
    // Assess
    expect(plan.Properties.Quota).toEqual({ Limit: 100_000, Period: 'DAY' });
  });

  it('attaches the key to the plan', () => {
    // Prepare
    const [keyId] = Object.keys(
      resourcesOfType(template, 'AWS::ApiGateway::ApiKey'),
    );

    // Assess
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyId: { Ref: keyId },
      KeyType: 'API_KEY',
      UsagePlanId: { Ref: planId },
    });
  });

  it('applies custom limits', () => {
    // Act
    const custom = synthesizeStack({
      apiLimits: { rateLimitPerSecond: 5, burstLimit: 10, dailyQuota: 1_000 },
    });

    // Assess
    custom.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 5, BurstLimit: 10 },
      Quota: { Limit: 1_000, Period: 'DAY' },
    });
  });

  it.each([
    [
      'rateLimitPerSecond',
      { rateLimitPerSecond: 0 },
      /rateLimitPerSecond is 0/,
    ],
    ['burstLimit', { burstLimit: 1.5 }, /burstLimit is 1.5/],
    ['dailyQuota', { dailyQuota: -1 }, /dailyQuota is -1/],
  ])('rejects an invalid %s', (_name, apiLimits, message) => {
    // Act
    const build = () => synthesizeStack({ apiLimits });

    // Assess
    expect(build).toThrow(message);
  });
});

describe('API Gateway logging role', () => {
  it('is managed by default', () => {
    // Assess
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  it('is left alone when another stack manages it', () => {
    // Act
    const custom = synthesizeStack({
      apiLimits: { manageCloudWatchRole: false },
    });

    // Assess
    custom.resourceCountIs('AWS::ApiGateway::Account', 0);
  });
});

describe('ingest function', () => {
  const allowed = allowedActionsOf(template, ingestId);

  it('has a 10 s timeout and 256 MiB', () => {
    // Assess
    expect(ingest.Properties.Timeout).toBe(10);
    expect(ingest.Properties.MemorySize).toBe(256);
  });

  it.each(TASK_CLASSES)('reads the $name queue URL', (definition) => {
    // Prepare
    const variables = (
      ingest.Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;

    // Assess
    expect(variables[queueUrlEnvOf(definition.name)]).toEqual({
      Ref: queueIdOf(queueSettingsOf(definition).queueName),
    });
  });

  it('writes only the tasks table', () => {
    // Act
    const actions = [...(allowed.get(tableIdOf('tasks')) ?? [])].sort();

    // Assess
    expect(actions).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });

  it('only reads the idempotency table', () => {
    // Act
    const actions = [...(allowed.get(tableIdOf('idempotency')) ?? [])];

    // Assess
    expect(actions).toEqual(['dynamodb:GetItem']);
  });

  it('reaches no other table', () => {
    // Prepare
    const others = (Object.keys(TABLES) as TableId[])
      .filter((tableId) => tableId !== 'tasks' && tableId !== 'idempotency')
      .map(tableIdOf);

    // Assess
    for (const tableLogicalId of others) {
      expect(allowed.has(tableLogicalId)).toBe(false);
    }
  });

  it.each(TASK_CLASSES)('only sends to the $name queue', (definition) => {
    // Prepare
    const settings = queueSettingsOf(definition);

    // Act
    const queueActions = [
      ...(allowed.get(queueIdOf(settings.queueName)) ?? []),
    ];

    // Assess
    expect(queueActions).toEqual(['sqs:SendMessage']);
    expect(allowed.has(queueIdOf(settings.dlqName))).toBe(false);
  });
});

describe('stack outputs', () => {
  const outputs = template.findOutputs('*');

  it.each(['ApiUrl', 'ApiKeyId', 'AlarmTopicArn'])('include %s', (name) => {
    // Assess
    expect(outputs[name]).toBeDefined();
  });

  it.each(TASK_CLASSES)('include the $name queue URLs', (definition) => {
    // Prepare
    const settings = queueSettingsOf(definition);

    // Act
    const values = Object.values(outputs).map((output) =>
      JSON.stringify(output.Value),
    );

    // Assess
    expect(values).toContain(
      JSON.stringify({ Ref: queueIdOf(settings.queueName) }),
    );
    expect(values).toContain(
      JSON.stringify({ Ref: queueIdOf(settings.dlqName) }),
    );
  });
});
