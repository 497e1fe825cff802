import { randomUUID } from 'node:crypto';
import { Tables, type Store } from '@osprey/db';
import { existingChannelIds } from '../channels/store';
import { FieldError, NotFoundError } from '../errors';
import { nextVersion } from '../version';
import { ruleInput, type AlertRule, type RuleFile, type RuleSpec } from './schema';

const SELECT = `SELECT toString(id) AS id, rule, toUnixTimestamp64Milli(updated_at) AS updated_at
  FROM ${Tables.alertRules} FINAL WHERE NOT deleted`;

function toRule(row: { id: string; rule: string; updated_at: string }): AlertRule {
  const spec = ruleInput.parse(JSON.parse(row.rule));
  return { id: row.id, ...spec, updated_at: new Date(Number(row.updated_at)).toISOString() };
}

export async function listRules(store: Store, opts: { model?: string } = {}): Promise<AlertRule[]> {
  const rows = await store.query<{ id: string; rule: string; updated_at: string }>(
    `${SELECT} ORDER BY name, id`,
  );
  const rules = rows.map(toRule);
  return opts.model ? rules.filter((r) => r.model === opts.model || r.model === '*') : rules;
}

export async function getRule(store: Store, id: string): Promise<AlertRule> {
  const rows = await store.query<{ id: string; rule: string; updated_at: string }>(
    `${SELECT} AND id = {id:String}`,
    { id },
  );
  if (!rows[0]) throw new NotFoundError('alert rule', id);
  return toRule(rows[0]);
}

async function checkChannels(store: Store, spec: RuleSpec, field = 'channels'): Promise<void> {
  const known = await existingChannelIds(store);
  const i = spec.channels.findIndex((c) => !known.has(c));
  if (i >= 0) throw new FieldError(`${field}.${i}`, `no channel with id ${spec.channels[i]}`);
}

async function write(
  store: Store,
  id: string,
  spec: RuleSpec,
  actor: string,
  deleted = false,
): Promise<AlertRule> {
  const now = Date.now();
  await store.insert(Tables.alertRules, [
    {
      id,
      name: spec.name,
      rule: JSON.stringify(spec),
      deleted,
      version: nextVersion(),
      updated_at: now,
      updated_by: actor,
    },
  ]);
  return { id, ...spec, updated_at: new Date(now).toISOString() };
}

export async function createRule(store: Store, spec: RuleSpec, actor: string): Promise<AlertRule> {
  await checkChannels(store, spec);
  return write(store, randomUUID(), spec, actor);
}

export async function replaceRule(
  store: Store,
  id: string,
  spec: RuleSpec,
  actor: string,
): Promise<AlertRule> {
  await getRule(store, id);
  await checkChannels(store, spec);
  return write(store, id, spec, actor);
}

export async function deleteRule(store: Store, id: string, actor: string): Promise<AlertRule> {
  const rule = await getRule(store, id);
  const { id: _id, updated_at: _u, ...spec } = rule;
  await write(store, id, spec, actor, true);
  return rule;
}

/** The rules as a file to keep in git: no ids or timestamps, sorted by name. */
export async function exportRules(store: Store): Promise<RuleFile> {
  const rules = await listRules(store);
  return { version: 1, rules: rules.map(({ id: _id, updated_at: _u, ...spec }) => spec) };
}

/**
 * Applies an import file: a rule with an id, or else with the name of an existing rule, replaces
 * it; others are created. With `prune`, rules absent from the file are deleted. Every rule is
 * checked before anything is written, so a bad file changes nothing.
 */
export async function importRules(
  store: Store,
  file: RuleFile,
  actor: string,
  opts: { prune?: boolean } = {},
): Promise<{ created: number; replaced: number; deleted: number }> {
  const existing = await listRules(store);
  const byId = new Map(existing.map((r) => [r.id, r]));
  const byName = new Map(existing.map((r) => [r.name, r]));
  const names = new Set<string>();
  for (const [i, { id: _id, ...spec }] of file.rules.entries()) {
    if (names.has(spec.name)) throw new FieldError(`rules.${i}.name`, 'appears twice in the file');
    names.add(spec.name);
    await checkChannels(store, spec, `rules.${i}.channels`);
  }
  const kept = new Set<string>();
  let created = 0;
  let replaced = 0;
  for (const { id, ...spec } of file.rules) {
    const target = (id && byId.get(id)) || byName.get(spec.name);
    const ruleId = target?.id ?? id ?? randomUUID();
    await write(store, ruleId, spec, actor);
    kept.add(ruleId);
    if (target) replaced++;
    else created++;
  }
  let deleted = 0;
  if (opts.prune) {
    for (const r of existing.filter((x) => !kept.has(x.id))) {
      await deleteRule(store, r.id, actor);
      deleted++;
    }
  }
  return { created, replaced, deleted };
}
