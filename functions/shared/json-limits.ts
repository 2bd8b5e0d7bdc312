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

/** A container that the duplicate-key scan is inside. */
interface ScanFrame {
  readonly path: string;
  /** Keys seen so far; undefined in an array. */
  readonly keys?: Set<string>;
  /** Whether the next string in an object is a key. */
  expectingKey: boolean;
  /** Key or index of the current value. */
  next: string | number;
}

const childPathOf = (frame: ScanFrame | undefined): string => {
  if (!frame) {
    return '';
  }
  if (typeof frame.next === 'number') {
    return `${frame.path}[${frame.next}]`;
  }
  return frame.path ? `${frame.path}.${frame.next}` : frame.next;
};

/**
 * Returns the dotted path of the first key that appears twice in one
 * object of valid JSON text, or undefined when every key is unique.
 * RFC 8259 promises that all parsers read an object alike only when its
 * names are unique. JSON.parse keeps the last value of a repeated key and
 * other parsers may not, so a body with one is ambiguous. Keys are
 * compared after decoding their escapes, so "a" and "\u0061" are one key.
 */
export const findDuplicateKey = (text: string): string | undefined => {
  const stack: ScanFrame[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    const frame = stack.at(-1);
    if (character === '"') {
      const start = index;
      for (index += 1; text[index] !== '"'; index += 1) {
        if (text[index] === '\\') {
          index += 1;
        }
      }
      if (frame?.keys && frame.expectingKey) {
        const key = JSON.parse(text.slice(start, index + 1)) as string;
        if (frame.keys.has(key)) {
          return frame.path ? `${frame.path}.${key}` : key;
        }
        frame.keys.add(key);
        frame.expectingKey = false;
        frame.next = key;
      }
    } else if (character === '{' || character === '[') {
      const isObject = character === '{';
      stack.push({
        path: childPathOf(frame),
        keys: isObject ? new Set() : undefined,
        expectingKey: isObject,
        next: isObject ? '' : 0,
      });
    } else if (character === '}' || character === ']') {
      stack.pop();
    } else if (character === ',' && frame) {
      if (frame.keys) {
        frame.expectingKey = true;
      } else {
        frame.next = (frame.next as number) + 1;
      }
    }
  }
  return undefined;
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
