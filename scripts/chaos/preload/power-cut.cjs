// Preloaded into a function process by the chaos harness (NODE_OPTIONS
// --require). With probability EKBAR_POWER_CUT_RATE it kills its own
// process with SIGKILL right after an effect was made and before the
// function could record or report it:
// - after DynamoDB returned 200 to a TransactWriteItems (ingest's key
//   claim, a consumer's effect transaction), and
// - after the notification provider returned a success to a POST (the effect of a
//   notification, which precedes its completion record).
const http = require('node:http');
const { syncBuiltinESMExports } = require('node:module');

const rate = Number(process.env.EKBAR_POWER_CUT_RATE ?? '0');

// Writes to a pipe are synchronous on Linux, so the line is out before
// the process dies.
const cutPower = (after) => {
  process.stderr.write(`${JSON.stringify({ message: 'power cut', after })}\n`);
  process.kill(process.pid, 'SIGKILL');
};

const targetOf = (options) => {
  for (const [name, value] of Object.entries(options?.headers ?? {})) {
    if (name.toLowerCase() === 'x-amz-target') {
      return String(value);
    }
  }
  return '';
};

if (Number.isFinite(rate) && rate > 0) {
  const originalRequest = http.request;
  http.request = function request(...args) {
    const isTransaction = targetOf(args[0]).endsWith('.TransactWriteItems');
    const req = originalRequest.apply(this, args);
    if (isTransaction && Math.random() < rate) {
      req.on('response', (response) => {
        response.on('end', () => {
          if (response.statusCode === 200) {
            cutPower('TransactWriteItems');
          }
        });
      });
    }
    return req;
  };
  syncBuiltinESMExports();

  const originalFetch = globalThis.fetch;
  globalThis.fetch = async (...args) => {
    const response = await originalFetch(...args);
    const method = String(args[1]?.method ?? 'GET').toUpperCase();
    if (method === 'POST' && response.ok && Math.random() < rate) {
      cutPower('provider POST');
    }
    return response;
  };
}
