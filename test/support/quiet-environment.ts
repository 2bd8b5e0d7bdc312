// Runs in every test worker before any module loads. Function logs go to
// the test output only when POWERTOOLS_LOG_LEVEL is set explicitly.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'ap-south-1';
// Lambda runs Node.js 22; the SDK's notice about Node.js 20 does not apply.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Embedded-metric lines are checked by the tests that need them.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// CDK apps write their cloud assembly into this run's folder (see
// global-setup.ts), one subfolder per worker, instead of a new temp folder.
if (process.env.EKBAR_TEST_CDK_ROOT) {
  process.env.CDK_OUTDIR ??= `${process.env.EKBAR_TEST_CDK_ROOT}/${process.pid}`;
}
