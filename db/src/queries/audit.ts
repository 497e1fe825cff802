import type { Store } from '../store/store';
import { Tables } from '../tables';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

export async function recordAudit(store: Store, entry: AuditEntry): Promise<void> {
  await store.insert(Tables.auditLog, [
    { ...entry, details: JSON.stringify(entry.details ?? {}), timestamp: Date.now() },
  ]);
}
