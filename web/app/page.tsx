import { listModels } from '@osprey/db';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

export default async function ModelsPage() {
  const models = await listModels(runtime().store);
  return (
    <>
      <h1>Models</h1>
      {models.length === 0 ? (
        <p className="empty">
          No predictions logged yet. Send some with the SDK (see the README), or run <code>npm start</code> for the
          demo.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Model</th>
              <th>Versions</th>
              <th>Events</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.model} data-testid="model-row">
                <td>{m.model}</td>
                <td>
                  {m.versions.map((v) => (
                    <span className="version" key={v}>
                      {v}
                    </span>
                  ))}
                </td>
                <td className="num">{m.events.toLocaleString('en-US')}</td>
                <td className="num">{new Date(m.last_seen).toISOString().replace('T', ' ').slice(0, 19)} UTC</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
