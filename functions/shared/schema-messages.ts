/**
 * Messages of schema issues, worded for API callers and dead-letter
 * reasons. The schemas use zod/mini, which keeps the consumer bundles small
 * (docs/benchmarks.md) but loads no locale, so without these messages a
 * missing field or a wrong type would read "Invalid input".
 */
import type * as z from 'zod/mini';

const ARTICLES: Record<string, string> = {
  array: 'an array',
  int: 'an integer',
  object: 'a JSON object',
  record: 'a JSON object',
};

const describeLimit = (
  issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall>,
  bound: 'at most' | 'at least',
): string => {
  const limit = 'maximum' in issue ? issue.maximum : issue.minimum;
  if (issue.origin !== 'string') {
    return `must be ${bound} ${limit}`;
  }
  return bound === 'at least' && limit === 1
    ? 'must not be empty'
    : `must be ${bound} ${limit} characters long`;
};

/** Message of an issue that no check of the schema names itself. */
export const messageOf = (issue: z.core.$ZodRawIssue): string | undefined => {
  if (
    issue.input === undefined &&
    (issue.code === 'invalid_type' || issue.code === 'invalid_value')
  ) {
    return 'is required';
  }
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'number' && typeof issue.input === 'number'
        ? 'must be a finite number'
        : `must be ${ARTICLES[issue.expected] ?? `a ${issue.expected}`}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_big':
      return describeLimit(issue, 'at most');
    case 'too_small':
      return describeLimit(issue, 'at least');
    case 'unrecognized_keys':
      return `has unknown fields ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    default:
      return undefined;
  }
};

/**
 * Checks a value against a schema, with the messages above for issues
 * that the schema's own checks do not name.
 */
export const safeParse = <T>(schema: z.ZodMiniType<T>, value: unknown) =>
  schema.safeParse(value, { error: messageOf });
