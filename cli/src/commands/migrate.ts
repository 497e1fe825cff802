import { withStore } from './with-store';

export async function migrateCommand(): Promise<void> {
  // withStore applies the migrations; this command only reports what changed.
  await withStore(async (store) => {
    const rows = await store.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations FINAL ORDER BY version',
    );
    for (const r of rows) console.log(`${String(r.version).padStart(4, '0')}_${r.name}`);
    console.log(`schema is current (${rows.length} migrations, ${store.backend})`);
  });
}
