import { checkRun, quantile, reasonKind } from '../../scripts/chaos/checker';
import type { GroundTruth } from '../../scripts/chaos/ground-truth';
import type { TrafficResult } from '../../scripts/chaos/load-generator';
import { TaskFactory } from '../../scripts/chaos/task-factory';

const emptyTruth = (): GroundTruth => ({
  ledgerEntries: new Map(),
  heldPayments: new Set(),
  auditCreated: new Map(),
  deliveries: new Map(),
  counters: new Map(),
  analyticsMarkers: new Set(),
  tasks: new Map(),
  deadLetters: new Map(),
  provider: { posts: 0, replays: 0 },
});

const trafficOf = (
  intents: ReturnType<TaskFactory['single']>[],
): TrafficResult => ({
  intents: new Map(intents.map((intent) => [intent.taskId, intent])),
  accepted: new Map(
    intents.map((intent) => [
      intent.taskId,
      {
        taskId: intent.taskId,
        className: intent.className,
        behaviour: 'retry-same-key',
        acceptedAtMs: 1_000,
      },
    ]),
  ),
  responses: new Map(),
  abandoned: 0,
});

describe('checkRun', () => {
  it('counts a payment posted twice as one repeat', () => {
    // Prepare
    const payment = new TaskFactory('t').single('payment');
    const truth = emptyTruth();
    truth.ledgerEntries.set(payment.taskId, { count: 4, firstAtMs: 1_500 });

    // Act
    const result = checkRun('s', trafficOf([payment]), truth, {});

    // Assess
    expect(result.duplicateEffects).toBe(1);
    expect(result.completed).toBe(1);
    expect(result.lost).toBe(0);
    expect(result.latencyMs.p50).toBe(500);
  });

  it('counts an accepted task without effect or dead letter as lost', () => {
    const record = new TaskFactory('t').single('health-record');

    const result = checkRun('s', trafficOf([record]), emptyTruth(), {});

    expect(result.lost).toBe(1);
    expect(result.completed).toBe(0);
  });

  it('counts a dead-lettered task with its reason', () => {
    const notification = new TaskFactory('t').single('notification');
    const truth = emptyTruth();
    truth.deadLetters.set(notification.taskId, 'failed after 4 attempts: x');

    const result = checkRun('s', trafficOf([notification]), truth, {});

    expect(result.deadLettered).toBe(1);
    expect(result.lost).toBe(0);
    expect(result.deadLetterReasons).toEqual({
      'failed after <n> attempts: x': 1,
    });
  });

  it('finds repeats on a shared analytics counter', () => {
    const events = new TaskFactory('t').sharedCounterEvents(3);
    const truth = emptyTruth();
    for (const event of events) {
      truth.analyticsMarkers.add(event.taskId);
    }
    const body = events[0]?.body as { name: string; entityId: string };
    truth.counters.set(`COUNTER#${body.name}#${body.entityId}`, 5);

    const result = checkRun('s', trafficOf(events), truth, {});

    expect(result.duplicateEffects).toBe(2);
    expect(result.completed).toBe(3);
  });

  it('counts each extra provider delivery as a repeat', () => {
    const notification = new TaskFactory('t').single('notification');
    const truth = emptyTruth();
    const id = String(notification.body.notificationId);
    truth.deliveries.set(id, { count: 3, firstAtMs: 2_000 });

    const result = checkRun('s', trafficOf([notification]), truth, {});

    expect(result.duplicateEffects).toBe(2);
  });
});

describe('quantile', () => {
  it('returns the nearest-rank value', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);

    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBe(0);
  });
});

describe('reasonKind', () => {
  it('replaces ids and numbers', () => {
    expect(reasonKind('payment id run-pay-shared-12 was already used')).toBe(
      'payment id <n> was already used',
    );
  });
});
