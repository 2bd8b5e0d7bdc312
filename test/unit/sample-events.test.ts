import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRecord } from '../../functions/consumers/consumer';
import { TASK_CLASSES } from '../../functions/shared/task-classes';
import { generateEvents } from '../../scripts/generate-events';

const repositoryEvents = join(__dirname, '..', '..', 'events');

describe('sample events', () => {
  it('match what the generator writes', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ekbar-events-'));

    const files = generateEvents(fresh);

    for (const file of files) {
      const relative = file.slice(fresh.length + 1);
      expect(readFileSync(join(repositoryEvents, relative), 'utf8')).toBe(
        readFileSync(file, 'utf8'),
      );
    }
  });

  it.each(TASK_CLASSES)('holds a valid $name SQS record', (definition) => {
    const event = JSON.parse(
      readFileSync(
        join(repositoryEvents, 'sqs', `${definition.name}.json`),
        'utf8',
      ),
    );

    const parsed = parseRecord(definition, event.Records[0]);

    expect(parsed.envelope.class).toBe(definition.name);
  });
});
