// npm run bench:many-features — the model page of a model with 2,000 features (the contract's
// limit per event): its HTML size and server time. A real `osprey start` child process, the model
// of test/support/many-features.ts (reference + three hours, drift detected through the API), then
// BENCH_RUNS (default 7) signed-in GETs of the model page, the page searched for one feature, and
// the page drilled into the categorical feature with 1,024-character values; and, for scale, the
// page of a model of three features logged the same way. BENCH_DIR names the
// data directory (default: a fresh temp one), to look at the data afterwards.
import { cpus, totalmem } from 'node:os';
import { MANY_FEATURES, logManyFeatureModel } from '../support/many-features';
import { startOsprey } from '../support/osprey-process';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const MODEL = 'many-features';
const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };

const osprey = await startOsprey({
  dataDir: process.env.BENCH_DIR,
  env: {
    OSPREY_ADMIN_EMAIL: ADMIN.email,
    OSPREY_ADMIN_PASSWORD: ADMIN.password,
    OSPREY_DETECTORS: 'off',
  },
});
try {
  const logged = performance.now();
  await logManyFeatureModel(osprey, MODEL);
  console.log(
    `logged ${MANY_FEATURES.referenceRows} reference rows and ${3 * MANY_FEATURES.perWindow} predictions of ${MANY_FEATURES.numeric + MANY_FEATURES.categorical} features, detected 3 windows: ${((performance.now() - logged) / 1000).toFixed(1)} s`,
  );
  await logManyFeatureModel(osprey, 'three-features', { numeric: 2, categorical: 1 });
  const login = await fetch(`${osprey.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: osprey.url },
    body: JSON.stringify(ADMIN),
  });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;

  const pages: [string, string][] = [
    ['model page', `/models/${MODEL}`],
    ['searched (q=n_0999)', `/models/${MODEL}?q=n_0999`],
    ['long categories (feature=c_0000)', `/models/${MODEL}?feature=${MANY_FEATURES.longCategory}`],
    ['a model of 3 features, for scale', '/models/three-features'],
  ];
  console.log(
    `\n${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  );
  console.log('| page | HTML bytes | server ms p50 | min | max |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, path] of pages) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS + 1; i++) {
      const started = performance.now();
      const res = await fetch(`${osprey.url}${path}`, { headers: { cookie } });
      const body = await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      // The first GET warms the route (Next.js compiles nothing in production, but caches do).
      if (i > 0) times.push(performance.now() - started);
      bytes = body.byteLength;
    }
    times.sort((a, b) => a - b);
    console.log(
      `| ${name} | ${bytes.toLocaleString('en-US')} | ${times[Math.floor(times.length / 2)]!.toFixed(0)} | ${times[0]!.toFixed(0)} | ${times.at(-1)!.toFixed(0)} |`,
    );
  }
} finally {
  await osprey.stop();
}
