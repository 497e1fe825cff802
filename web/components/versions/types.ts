import type { ModelVersion } from '@osprey/shadow-runner/api';

export type { ModelVersion };

/** A row of the deployment log as GET …/deployments answers it. */
export interface Deployment {
  id: string;
  model: string;
  version: string;
  previous_version: string;
  sha256: string;
  action: 'promote' | 'rollback';
  reason: string;
  actor: string;
  alert_id: string;
  shadow_run_id: string;
  changed_at: string;
}
