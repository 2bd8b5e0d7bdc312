import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { taskIdFor } from '../functions/shared/business-key';
import { toSqsJson } from '../functions/shared/envelope';
import { queueSettingsOf } from '../functions/shared/resources';
import { PATH_PARAMETER, TASK_RESOURCE } from '../functions/shared/routes';
import {
  businessKeyOf,
  messageGroupIdOf,
  TASK_CLASSES,
  type TaskClassDefinition,
} from '../functions/shared/task-classes';

/** One valid request body per class, with made-up data. */
export const SAMPLE_TASKS: Record<string, unknown> = {
  payment: {
    paymentId: 'pay-1001',
    orderId: 'ord-5001',
    payerAccount: 'acct-payer-1',
    merchantAccount: 'acct-merchant-1',
    amount: 49_900,
    currency: 'INR',
  },
  'health-record': {
    recordId: 'rec-2001',
    patientId: 'patient-301',
    recordType: 'prescription',
    authoredBy: 'dr-sample',
    content: { drug: 'paracetamol', doseMg: 500, timesPerDay: 3 },
  },
  notification: {
    notificationId: 'ntf-3001',
    recipient: 'sample@example.com',
    channel: 'email',
    template: 'payment-receipt',
    data: { orderId: 'ord-5001' },
  },
  analytics: {
    eventId: 'evt-4001',
    name: 'checkout-completed',
    entityId: 'web',
    value: 1,
  },
};

const apiEventOf = (definition: TaskClassDefinition<unknown>) => ({
  resource: TASK_RESOURCE,
  path: `/v1/tasks/${definition.name}`,
  httpMethod: 'POST',
  headers: {
    'Content-Type': 'application/json',
    'Idempotency-Key': `sample-${definition.name}-1`,
  },
  multiValueHeaders: {
    'Content-Type': ['application/json'],
    'Idempotency-Key': [`sample-${definition.name}-1`],
  },
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: { [PATH_PARAMETER]: definition.name },
  stageVariables: null,
  requestContext: {
    requestId: `sample-request-${definition.name}`,
    stage: 'v1',
    httpMethod: 'POST',
    resourcePath: TASK_RESOURCE,
    identity: { apiKeyId: 'sample-api-key-id', sourceIp: '127.0.0.1' },
  },
  body: JSON.stringify(SAMPLE_TASKS[definition.name]),
  isBase64Encoded: false,
});

const sqsEventOf = (definition: TaskClassDefinition<unknown>) => {
  const task = SAMPLE_TASKS[definition.name];
  const businessKey = businessKeyOf(definition, task);
  const queueName = queueSettingsOf(definition).queueName;
  return {
    Records: [
      {
        messageId: `00000000-0000-4000-8000-00000000000${TASK_CLASSES.indexOf(definition as never) + 1}`,
        receiptHandle: 'sample-receipt-handle',
        body: toSqsJson({
          taskId: taskIdFor(businessKey),
          class: definition.name,
          businessKey,
          acceptedAt: '2026-12-04T00:00:00.000Z',
          payload: task,
        }),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1764806400000',
          SenderId: 'AIDASAMPLE',
          ApproximateFirstReceiveTimestamp: '1764806400000',
          MessageGroupId: messageGroupIdOf(definition, task),
          MessageDeduplicationId: businessKey,
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:ap-south-1:123456789012:${queueName}`,
        awsRegion: 'ap-south-1',
      },
    ],
  };
};

/** Writes events/api/CLASS.json and events/sqs/CLASS.json for every class. */
export const generateEvents = (root: string): string[] => {
  const written: string[] = [];
  for (const definition of TASK_CLASSES as TaskClassDefinition<unknown>[]) {
    for (const [kind, event] of [
      ['api', apiEventOf(definition)],
      ['sqs', sqsEventOf(definition)],
    ] as const) {
      const folder = join(root, kind);
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `${definition.name}.json`);
      writeFileSync(file, `${JSON.stringify(event, null, 2)}\n`);
      written.push(file);
    }
  }
  return written;
};

if (require.main === module) {
  const written = generateEvents(join(__dirname, '..', 'events'));
  process.stdout.write(`wrote ${written.length} sample events\n`);
}
