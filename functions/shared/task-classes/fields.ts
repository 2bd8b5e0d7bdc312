import * as z from 'zod/mini';

/** Pattern of every id field: it ends up in keys and message group ids. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export const idField = () =>
  z.string().check(
    z.regex(ID_PATTERN, {
      error:
        'must be 1 to 64 characters of letters, digits, ".", "_", ":" or "-"',
    }),
  );

const currencies = new Set(Intl.supportedValuesOf('currency'));

export const currencyField = () =>
  z.string().check(
    z.refine((code) => /^[A-Z]{3}$/.test(code) && currencies.has(code), {
      error: 'must be an ISO 4217 currency code such as INR',
    }),
  );

/** A JSON object with string keys and any JSON values. */
export const objectField = () => z.record(z.string(), z.unknown());

export const DAY_SECONDS = 86_400;
