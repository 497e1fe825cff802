import { listModels, modelStats } from '@osprey/db';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const HOUR = 3_600_000;
const number = (n: number) => n.toLocaleString('en-US');
const percent = (r: number) => `${(r * 100).toFixed(r < 0.1 ? 2 : 1)}%`;
const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(v < 10 ? 2 : 1)} ms`);

export default async function ModelsPage() {
  const { store } = runtime();
  const now = new Date();
  const models = await listModels(store);
  const lastHour = await Promise.all(
    models.map((m) =>
      modelStats(store, { model: m.model, from: new Date(now.getTime() - HOUR), to: now }),
    ),
  );
  return (
    <>
      <h1>Models</h1>
      {models.length === 0 ? (
        <p className="empty">
          No predictions logged yet. Send some with the SDK (see the README), or run{' '}
          <code>npm start</code> for the demo.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Model</th>
              <th>Versions</th>
              <th className="num">Events</th>
              <th className="num">Last hour</th>
              <th className="num">Error rate</th>
              <th className="num">p95 latency</th>
              <th className="num">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m, i) => {
              const s = lastHour[i]!;
              return (
                <tr key={m.model} data-testid="model-row" data-model={m.model}>
                  <td className="model">{m.model}</td>
                  <td>
                    {m.versions.map((v) => (
                      <span className="version" key={v}>
                        {v}
                      </span>
                    ))}
                  </td>
                  <td className="num">{number(m.events)}</td>
                  <td className="num">{number(s.count)}</td>
                  <td className="num">{s.count ? percent(s.error_rate) : '—'}</td>
                  <td className="num">{ms(s.latency_ms.p95)}</td>
                  <td className="num">
                    {new Date(m.last_seen).toISOString().replace('T', ' ').slice(0, 19)} UTC
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
