import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  appendDeployment,
  latestDeployment,
  listDeployments,
  recordAudit,
  type DeploymentRow,
  type Store,
} from '@osprey/db';
import type { Logger } from 'pino';
import { RegistryError, type DeploymentChange } from '../api';
import type { ModelRegistry } from './registry';

export interface ChangeInput {
  model: string;
  reason: string;
  actor: string;
  /** The alert behind an auto-rollback. */
  alertId?: string;
  /** The shadow run behind a promote. */
  shadowRunId?: string;
}

export const DEPLOYMENT_CHANGED = 'deployment.changed';

/**
 * Promote and rollback as appended rows of `deployments`; production is a model's latest row.
 * Every change is audited and emitted as `deployment.changed` (see onChange): the seam where the
 * alert channels' delivery sends the deployment webhook and where services could be told at once.
 * Changes of one model are serialised in this process so `previous_version` is always right.
 */
export class Deployments {
  private readonly events = new EventEmitter();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly registry: ModelRegistry,
    private readonly logger?: Pick<Logger, 'error'>,
  ) {}

  /** Called after every promote and rollback, once the row is stored. Returns an unsubscribe. */
  onChange(listener: (change: DeploymentChange) => void): () => void {
    this.events.on(DEPLOYMENT_CHANGED, listener);
    return () => this.events.off(DEPLOYMENT_CHANGED, listener);
  }

  production(model: string): Promise<DeploymentRow | undefined> {
    return latestDeployment(this.store, model);
  }

  history(model: string, limit?: number): Promise<DeploymentRow[]> {
    return listDeployments(this.store, model, limit);
  }

  promote(input: ChangeInput & { version: string }): Promise<DeploymentChange> {
    return this.serial(input.model, async () => {
      const current = await this.production(input.model);
      if (current?.version === input.version)
        throw new RegistryError(409, `${input.model} ${input.version} is already in production`);
      return this.append('promote', input, input.version, current);
    });
  }

  /** Back to `to`, or by default to the version that was production before the current one. */
  rollback(input: ChangeInput & { to?: string }): Promise<DeploymentChange> {
    return this.serial(input.model, async () => {
      const current = await this.production(input.model);
      if (!current)
        throw new RegistryError(409, `${input.model} has no production version to roll back`);
      const to = input.to ?? current.previous_version;
      if (!to)
        throw new RegistryError(
          409,
          `${input.model} has had only one production version (${current.version}); name the version to roll back to`,
          'to',
        );
      if (to === current.version)
        throw new RegistryError(409, `${input.model} ${to} is already in production`, 'to');
      return this.append('rollback', input, to, current);
    });
  }

  private async append(
    action: 'promote' | 'rollback',
    input: ChangeInput,
    version: string,
    current: DeploymentRow | undefined,
  ): Promise<DeploymentChange> {
    const target = await this.registry.require(input.model, version);
    // Strictly increasing per model: the latest row is production even within one millisecond.
    const changedAt = Math.max(Date.now(), current ? Date.parse(current.changed_at) + 1 : 0);
    const row = {
      id: randomUUID(),
      model: input.model,
      version,
      previous_version: current?.version ?? '',
      sha256: target.sha256,
      action,
      reason: input.reason,
      actor: input.actor,
      alert_id: input.alertId ?? '',
      shadow_run_id: input.shadowRunId ?? '',
      changed_at: changedAt,
    };
    await appendDeployment(this.store, row);
    const change: DeploymentChange = {
      ...row,
      previous_version: row.previous_version || null,
      alert_id: row.alert_id || null,
      shadow_run_id: row.shadow_run_id || null,
      changed_at: new Date(changedAt).toISOString(),
    };
    await recordAudit(this.store, {
      actor: input.actor,
      action: `model.${action}`,
      target: `${input.model}/${version}`,
      details: change as unknown as Record<string, unknown>,
    });
    // The change is stored: a failing listener is logged, never turned into a failed promote.
    for (const listener of this.events.listeners(DEPLOYMENT_CHANGED)) {
      try {
        (listener as (c: DeploymentChange) => void)(change);
      } catch (err) {
        this.logger?.error({ err, model: change.model }, 'deployment.changed listener failed');
      }
    }
    return change;
  }

  private serial<T>(model: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(model) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(model, settled);
    void settled.then(() => {
      if (this.queues.get(model) === settled) this.queues.delete(model);
    });
    return next;
  }
}
