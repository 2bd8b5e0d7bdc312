// Preloaded into a consumer process by a test: the process kills itself
// with SIGKILL as soon as DynamoDB responds to its first TransactWriteItems, the
// call that writes an effect. The effect is then committed while the
// Powertools idempotency record is still INPROGRESS, as after a power cut.
const http = require('node:http');

const targetOf = (options) => {
  const headers = options?.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'x-amz-target') {
      return String(value);
    }
  }
  return '';
};

const originalRequest = http.request;
http.request = function request(...args) {
  const isTransaction = targetOf(args[0]).endsWith('.TransactWriteItems');
  const req = originalRequest.apply(this, args);
  if (isTransaction) {
    req.on('response', (response) => {
      response.on('end', () => {
        if (response.statusCode === 200) {
          process.kill(process.pid, 'SIGKILL');
        }
      });
    });
  }
  return req;
};
