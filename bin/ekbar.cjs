#!/usr/bin/env node
// Entry point of the `ekbar` operator CLI: compiles the TypeScript sources
// on the fly with tsx, so the CLI runs from a checkout without a build.

// The SDK warns on Node.js 20 that its future releases will need Node.js
// 22. package.json pins the SDK version, so the warning does not apply and
// would add eight lines to every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

require('tsx/cjs');

const { runCli } = require('../cli/main.ts');

runCli(process.argv).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error) => {
    process.stderr.write(`ekbar: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
