import type { Store } from '@osprey/db';

/**
 * Times every statement a store runs while `on`, grouped by the statement's shape (its text with
 * whitespace collapsed, parameters left out, cut to its first `width` characters): where a
 * detection's time goes. Statements overlap when run side by side, so their sum may exceed the wall.
 */
export function profileStatements(store: Store, width = 110) {
  const totals = new Map<string, { ms: number; n: number }>();
  let on = false;
  const wrap =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (!on) return f(...args);
      const start = performance.now();
      try {
        return await f(...args);
      } finally {
        const shape = String(args[0]).replace(/\s+/g, ' ').trim().slice(0, width);
        const t = totals.get(shape) ?? { ms: 0, n: 0 };
        t.ms += performance.now() - start;
        t.n += 1;
        totals.set(shape, t);
      }
    };
  store.query = wrap(store.query.bind(store)) as Store['query'];
  store.queryBinary = wrap(store.queryBinary.bind(store));
  store.insert = wrap(store.insert.bind(store));
  store.command = wrap(store.command.bind(store));
  return {
    start: () => {
      totals.clear();
      on = true;
    },
    /** The costliest shapes, as lines: total ms, ms per `per` (e.g. per window), count. */
    report(per: number, top = 20): string {
      on = false;
      return [...totals]
        .sort(([, a], [, b]) => b.ms - a.ms)
        .slice(0, top)
        .map(
          ([shape, t]) =>
            `${t.ms.toFixed(0).padStart(8)} ms ${(t.ms / per).toFixed(1).padStart(7)} ms/window ${String(t.n).padStart(6)}×  ${shape}`,
        )
        .join('\n');
    },
  };
}
