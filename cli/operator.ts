import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { stsClient } from './aws';
import { CliError } from './errors';

/** Environment variable naming the operator when `--operator` is not given. */
export const OPERATOR_ENV = 'EKBAR_OPERATOR';

/**
 * Resolves who performs an override: `--operator`, else EKBAR_OPERATOR,
 * else the ARN that STS GetCallerIdentity returns for the credentials in
 * use.
 * @throws CliError when neither is set and STS cannot be reached
 */
export const resolveOperator = async (option?: string): Promise<string> => {
  const named = option?.trim() || process.env[OPERATOR_ENV]?.trim();
  if (named) {
    return named;
  }
  try {
    const { Arn } = await stsClient.send(new GetCallerIdentityCommand({}));
    if (Arn) {
      return Arn;
    }
  } catch (error) {
    throw new CliError(
      `cannot determine the operator: STS GetCallerIdentity failed (${(error as Error).message}); pass --operator NAME or set ${OPERATOR_ENV}`,
      { cause: error },
    );
  }
  throw new CliError(
    `cannot determine the operator: STS returned no ARN; pass --operator NAME or set ${OPERATOR_ENV}`,
  );
};
