/** Adds up the wall seconds of the calls it times. */
export class Stopwatch {
  seconds = 0;

  /** Calls `fn` and adds its wall time; for a promise, the time until it settles. */
  time<T>(fn: () => T): T {
    const start = performance.now();
    const stop = () => {
      this.seconds += (performance.now() - start) / 1000;
    };
    let result: T;
    try {
      result = fn();
    } catch (e) {
      stop();
      throw e;
    }
    if (result instanceof Promise) return result.finally(stop) as T;
    stop();
    return result;
  }
}
