import type { TaskClassDefinition } from '../functions/shared/task-classes';
import { getTask, type TaskRecord } from '../functions/shared/task-store';
import { NotFoundError, StateConflictError } from './errors';

/**
 * Reads a task's record.
 * @throws NotFoundError when the tasks table has no such task
 */
export const requireTask = async (taskId: string): Promise<TaskRecord> => {
  const record = await getTask(taskId);
  if (!record) {
    throw new NotFoundError(
      `task "${taskId}" was not found in the tasks table; check the id (it starts with tsk_) and that AWS_REGION and AWS_ENDPOINT_URL point at the right deployment`,
    );
  }
  return record;
};

/**
 * Reads a task's record and checks that it belongs to the given class.
 * @throws NotFoundError when there is no such task
 * @throws StateConflictError when the task is of another class
 */
export const requireTaskOfClass = async (
  definition: TaskClassDefinition<unknown>,
  taskId: string,
): Promise<TaskRecord> => {
  const record = await requireTask(taskId);
  if (record.class !== definition.name) {
    throw new StateConflictError(
      `task "${taskId}" is a ${record.class} task, not ${definition.name}; run the command with class ${record.class}`,
    );
  }
  return record;
};
