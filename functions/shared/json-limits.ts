/** Maximum nesting depth of a task body's objects and arrays. */
export const MAX_JSON_DEPTH = 32;

/**
 * Reports whether JSON text nests objects and arrays deeper than `limit`.
 * It scans the text instead of walking a parsed value, so a body nested
 * 100,000 levels deep costs one pass and no recursion.
 */
export const exceedsJsonDepth = (
  text: string,
  limit = MAX_JSON_DEPTH,
): boolean => {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === '\\') {
        index += 1;
      } else if (character === '"') {
        inString = false;
      }
    } else if (character === '"') {
      inString = true;
    } else if (character === '{' || character === '[') {
      depth += 1;
      if (depth > limit) {
        return true;
      }
    } else if (character === '}' || character === ']') {
      depth -= 1;
    }
  }
  return false;
};

/** A value that the stores cannot keep unchanged, and where it is. */
export interface UnstorableValue {
  /** Dotted path of the value, `body` for the root. */
  readonly path: string;
  readonly problem: string;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const problemOf = (value: unknown): string | undefined => {
  if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
    return 'contains a lone UTF-16 surrogate, which cannot be stored as UTF-8';
  }
  if (typeof value === 'number' && Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    return 'is beyond ±2^53 - 1, the range numbers keep exactly';
  }
  return undefined;
};

/**
 * Returns the first string or number that DynamoDB and the AWS SDK cannot
 * store unchanged: a string or object key with a lone surrogate, a
 * `__proto__` key, or a number beyond the safe integer range. The walk is
 * iterative.
 */
export const findUnstorableValue = (
  root: unknown,
): UnstorableValue | undefined => {
  const pending: { value: unknown; path: string }[] = [
    { value: root, path: '' },
  ];
  while (pending.length > 0) {
    const { value, path } = pending.pop() as { value: unknown; path: string };
    const problem = problemOf(value);
    if (problem) {
      return { path: path || 'body', problem };
    }
    if (value === null || typeof value !== 'object') {
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (LONE_SURROGATE.test(key)) {
        return {
          path: path || 'body',
          problem: 'has a key with a lone UTF-16 surrogate',
        };
      }
      // JSON.parse keeps "__proto__" as a plain key, but copying the object
      // (schema parsing, marshalling) sets the prototype instead and so
      // drops the key and its value without an error.
      if (key === '__proto__') {
        return {
          path: childPath,
          problem: 'has the key "__proto__", which is reserved; rename it',
        };
      }
      pending.push({ value: child, path: childPath });
    }
  }
  return undefined;
};
