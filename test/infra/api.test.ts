import { Match, type Template } from 'aws-cdk-lib/assertions';
import {
  INGEST_FUNCTION,
  MAX_BODY_BYTES,
  queueSettingsOf,
  queueUrlEnvOf,
  RESOURCE_PREFIX,
  TABLES,
  type TableId,
} from '../../functions/shared/resources';
import { ROUTES } from '../../functions/shared/routes';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import {
  findResourceBy,
  grantsOf,
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

  it.each(methods)('%s uses no authorizer', (_id, method) => {
    // Assess: the API key is the only credential, set on purpose.
    expect(method.Properties.AuthorizationType).toBe('NONE');
    expect(method.Properties.AuthorizerId).toBeUndefined();
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

  it('logs errors without data tracing', () => {
    // Prepare
    const [settings] = stage.Properties.MethodSettings as Record<
      string,
      unknown
    >[];

    // Assess
    expect(settings?.LoggingLevel).toBe('ERROR');
    expect(settings?.DataTraceEnabled).toBe(false);
  });

  it('creates its execution log group first', () => {
    // Prepare
    const [apiId] = Object.keys(
      resourcesOfType(template, 'AWS::ApiGateway::RestApi'),
    );

    // Act
    const [logGroupId, logGroup] = findResourceBy(
      template,
      'AWS::Logs::LogGroup',
      'LogGroupName',
      {
        'Fn::Join': [
          '',
          ['API-Gateway-Execution-Logs_', { Ref: apiId }, '/prod'],
        ],
      },
    );

    // Assess
    expect(logGroup.Properties.RetentionInDays).toBe(30);
    template.hasResource('AWS::ApiGateway::Stage', {
      Properties: { StageName: 'prod' },
      DependsOn: Match.arrayWith([logGroupId]),
    });
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

  it('is granted exactly its tables, queues and logs', () => {
    // Prepare
    const logGroupId = (
      ingest.Properties.LoggingConfig as { LogGroup: { Ref: string } }
    ).LogGroup.Ref;
    const tasksTableId = tableIdOf('tasks');
    const expected = [
      `dynamodb:DeleteItem ${tasksTableId}`,
      `dynamodb:GetItem ${tasksTableId}`,
      `dynamodb:PutItem ${tasksTableId}`,
      `dynamodb:UpdateItem ${tasksTableId}`,
      // Read only: ingest reports tasks that a consumer is processing.
      `dynamodb:GetItem ${tableIdOf('idempotency')}`,
      // Task queues only: ingest never writes to a dead-letter queue.
      ...TASK_CLASSES.map(
        (definition) =>
          `sqs:SendMessage ${queueIdOf(queueSettingsOf(definition).queueName)}`,
      ),
      `logs:CreateLogStream ${logGroupId}`,
      `logs:PutLogEvents ${logGroupId}`,
    ].sort();

    // Act
    const grants = grantsOf(template, ingestId);

    // Assess
    expect(grants).toEqual(expected);
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

/** Returns the status code and the parsed body template of a gateway response. */
const gatewayResponseOf = (stack: Template, responseType: string) => {
  const [, response] = findResourceBy(
    stack,
    'AWS::ApiGateway::GatewayResponse',
    'ResponseType',
    responseType,
  );
  const templates = response.Properties.ResponseTemplates as Record<
    string,
    string
  >;
  const text = templates['application/json'] ?? '';
  return {
    statusCode: response.Properties.StatusCode,
    headers: response.Properties.ResponseParameters,
    text,
    body: JSON.parse(text) as Record<string, unknown>,
  };
};

/** Returns the variables, such as `$context.httpMethod`, that a template uses. */
const variablesOf = (text: string): string[] =>
  text.match(/\$[A-Za-z.]+/g) ?? [];

describe('gateway responses', () => {
  it.each(['DEFAULT_4XX', 'DEFAULT_5XX'])(
    'answer %s with problem+json',
    (responseType) => {
      const template = synthesizeStack();

      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: responseType,
        ResponseParameters: {
          'gatewayresponse.header.Content-Type': "'application/problem+json'",
        },
        ResponseTemplates: {
          'application/json': Match.stringLikeRegexp(
            'urn:ekbar:problem:gateway',
          ),
        },
      });
    },
  );

  it.each([
    [
      'INVALID_API_KEY',
      '403',
      'Forbidden',
      [],
      /^the x-api-key header is missing, or its value is not an enabled API key/,
    ],
    [
      'MISSING_AUTHENTICATION_TOKEN',
      '403',
      'Forbidden',
      ['$context.httpMethod'],
      /^no route of this API matches \$context\.httpMethod on the request path/,
    ],
    [
      'REQUEST_TOO_LARGE',
      '413',
      'Content Too Large',
      [],
      new RegExp(`larger than 10 MB.*at most ${MAX_BODY_BYTES} bytes$`),
    ],
    [
      'THROTTLED',
      '429',
      'Too Many Requests',
      [],
      /50 requests per second with bursts of 100.*retry with exponential backoff/,
    ],
    [
      'QUOTA_EXCEEDED',
      '429',
      'Too Many Requests',
      [],
      /quota of 100000 requests per day/,
    ],
  ])(
    'answer %s with %s and a detail',
    (responseType, statusCode, title, variables, detail) => {
      // Act
      const response = gatewayResponseOf(template, responseType);

      // Assess
      expect(response.statusCode).toBe(statusCode);
      expect(response.headers).toEqual({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
      });
      expect(response.body.type).toBe('urn:ekbar:problem:gateway');
      expect(response.body.title).toBe(title);
      expect(response.body.status).toBe(Number(statusCode));
      expect(response.body.detail).toMatch(detail);
      // No API key, header value or body content goes into the response.
      expect(variablesOf(response.text)).toEqual(variables);
    },
  );

  it('lists every route for an unknown route', () => {
    // Act
    const { body } = gatewayResponseOf(
      template,
      'MISSING_AUTHENTICATION_TOKEN',
    );

    // Assess
    for (const route of ROUTES) {
      expect(body.detail).toContain(`${route.method} ${route.resource}`);
    }
  });

  it('names custom limits when throttling', () => {
    // Prepare
    const custom = synthesizeStack({
      apiLimits: { rateLimitPerSecond: 5, burstLimit: 10, dailyQuota: 1_000 },
    });

    // Act
    const throttled = gatewayResponseOf(custom, 'THROTTLED');
    const quota = gatewayResponseOf(custom, 'QUOTA_EXCEEDED');

    // Assess
    expect(throttled.body.detail).toContain(
      '5 requests per second with bursts of 10',
    );
    expect(quota.body.detail).toContain('quota of 1000 requests per day');
  });
});
