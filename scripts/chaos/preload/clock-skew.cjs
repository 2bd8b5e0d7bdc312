// Preloaded into a function process by the chaos harness (NODE_OPTIONS
// --require). It shifts every wall-clock read of this process by one
// random offset, drawn once at start from -EKBAR_CLOCK_SKEW_MAX_MS to
// +EKBAR_CLOCK_SKEW_MAX_MS milliseconds: Date.now(), new Date(), Date()
// and performance.timeOrigin-based wall times derived from Date. Timers
// and performance.now() measure durations, so they stay unshifted.
const maxMs = Number(process.env.EKBAR_CLOCK_SKEW_MAX_MS ?? '0');

if (Number.isFinite(maxMs) && maxMs > 0) {
  const offsetMs = Math.round((Math.random() * 2 - 1) * maxMs);
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);

  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) {
        super(realNow() + offsetMs);
      } else {
        super(...args);
      }
    }

    static now() {
      return realNow() + offsetMs;
    }
  }

  // Called without new, Date returns the current time as a string.
  const SkewedDateFunction = new Proxy(SkewedDate, {
    apply: () => new SkewedDate().toString(),
  });
  globalThis.Date = SkewedDateFunction;
  process.stderr.write(
    `${JSON.stringify({ message: 'clock skew applied', offsetMs })}\n`,
  );
}
