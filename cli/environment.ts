/**
 * Gives the shared task code the table names it reads from the
 * environment. The CLI runs outside Lambda, so nothing sets them. The
 * defaults are the names that the stack and the local runtime create, and
 * a variable that is already set wins.
 */
import { commonFunctionEnvironment } from '../scripts/local/provision';

/** Sets every unset table name variable to its default. */
export const useDefaultTableNames = (
  environment: NodeJS.ProcessEnv = process.env,
): void => {
  for (const [name, value] of Object.entries(commonFunctionEnvironment())) {
    if (!environment[name]) {
      environment[name] = value;
    }
  }
};

useDefaultTableNames();
