import { ConfigError } from '../config';
import { SHARDING_KEYS } from './sharding';

/** Where the migrations run when OSPREY_CLICKHOUSE_CLUSTER is set. */
export interface ClusterTarget {
  /** The cluster's name in the servers' remote_servers. */
  cluster: string;
  /** The database the tables live in on every node (CLICKHOUSE_DATABASE). */
  database: string;
}

/**
 * What a table becomes on a cluster:
 * - sharded: `<name>_local` on every node (Replicated*MergeTree, or Null for a landing table),
 *   with a Distributed table `<name>` over it, so the product's queries read and write `<name>`
 *   unchanged;
 * - everywhere: one Replicated*MergeTree whose replicas are all the nodes of the cluster, for the
 *   small tables read with FINAL (ReplacingMergeTree): every node holds every version of every
 *   key, so FINAL and the views' look-ups are exact on any node without a sharding key.
 */
export type Placement = { kind: 'sharded'; local: string; key: string } | { kind: 'everywhere' };

export const LOCAL_SUFFIX = '_local';
/** Keeper path and replica name of a shard's replicas: `{shard}` and `{replica}` are macros. */
const SHARD_REPLICATION = `'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'`;
/** Every node is a replica of the one table, so the replica name must be unique cluster-wide. */
const EVERYWHERE_REPLICATION = `'/clickhouse/tables/all/{database}/{table}', '{shard}-{replica}'`;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CREATE_TABLE = /^CREATE TABLE IF NOT EXISTS ([a-z0-9_]+)\s*\(/;
const CREATE_VIEW = /^CREATE MATERIALIZED VIEW IF NOT EXISTS ([a-z0-9_]+) TO ([a-z0-9_]+)\s+AS\s/;
const ALTER_TABLE = /^ALTER TABLE ([a-z0-9_]+) /;
const INSERT_SELECT = /^INSERT INTO ([a-z0-9_]+)\s/;
const ENGINE = /^\s*(ENGINE = ([A-Za-z]+)(?:\(([^()]*)\))?)(?=\s|$)/m;
const FROM_TABLE = /\bFROM\s+([a-z0-9_]+)\b/g;

/**
 * Renders the single-node migrations for a cluster, statement by statement, in order: it learns
 * each table's placement from its CREATE, so later views and ALTERs refer to the right tables.
 * A statement of a shape it does not know is refused, so a new kind of migration fails its test
 * (test/deploy/cluster-ddl.integration.test.ts) until its cluster form is decided here.
 * Text, not ClickHouse's parser: the migrations have four shapes, all matched whole, and the roles
 * that migrate a cluster talk to a server over HTTP and need not load chDB (a slim image may not
 * have it); the test checks every rendered statement with the parser instead.
 */
export class ClusterSchema {
  private readonly placements = new Map<string, Placement>();

  constructor(private readonly target: ClusterTarget) {
    for (const [name, value] of Object.entries(target)) {
      if (!IDENTIFIER.test(value)) throw new Error(`cluster ${name} must be a plain identifier`);
    }
  }

  get cluster(): string {
    return this.target.cluster;
  }

  /** The placement of a table created by an earlier render; undefined for one never seen. */
  placement(table: string): Placement | undefined {
    return this.placements.get(table);
  }

  /** The statements that replace one single-node migration statement, in order. */
  render(sql: string): string[] {
    const body = withoutCommentLines(sql);
    if (CREATE_TABLE.test(body)) return this.createTable(body);
    if (CREATE_VIEW.test(body)) return [this.createView(body)];
    if (ALTER_TABLE.test(body)) return this.alterTable(body);
    if (INSERT_SELECT.test(body)) return [this.insertSelect(body)];
    throw new Error(
      `no cluster form for this statement; teach db/src/migrate/cluster.ts its shape:\n${body}`,
    );
  }

  private createTable(body: string): string[] {
    const name = CREATE_TABLE.exec(body)![1]!;
    const engine = ENGINE.exec(body);
    if (!engine) throw new Error(`${name}: expected a line starting "ENGINE = Name(args)"`);
    const [, line = '', family = '', args] = engine;
    const { cluster } = this.target;
    if (family === 'ReplacingMergeTree') {
      this.placements.set(name, { kind: 'everywhere' });
      const replicated = replicatedEngine(family, EVERYWHERE_REPLICATION, args);
      return [
        onCluster(body, CREATE_TABLE, name, cluster)
          .replace(line, replicated)
          .replace(/\bnon_replicated_deduplication_window\b/, 'replicated_deduplication_window'),
      ];
    }
    if (family !== 'Null' && !/^(Aggregating|Summing)?MergeTree$/.test(family)) {
      throw new Error(`${name}: no cluster form for ENGINE = ${family}`);
    }
    const key = SHARDING_KEYS[name];
    if (!key) throw new Error(`${name}: add its sharding key to db/src/migrate/sharding.ts`);
    const local = name + LOCAL_SUFFIX;
    this.placements.set(name, { kind: 'sharded', local, key });
    const localTable = onCluster(body, CREATE_TABLE, local, cluster)
      .replace(line, family === 'Null' ? line : replicatedEngine(family, SHARD_REPLICATION, args))
      .replace(/\bnon_replicated_deduplication_window\b/, 'replicated_deduplication_window');
    return [localTable, this.distributedTable(name, local, key)];
  }

  private distributedTable(name: string, local: string, key: string): string {
    const { cluster, database } = this.target;
    return (
      `CREATE TABLE IF NOT EXISTS ${name} ON CLUSTER ${cluster} AS ${local}\n` +
      `ENGINE = Distributed('${cluster}', '${database}', '${local}', ${key})`
    );
  }

  /** A view runs where its source's rows are inserted: on each node, from local to local. */
  private createView(body: string): string {
    const [, name, to] = CREATE_VIEW.exec(body)!;
    const target = this.known(to!, name!);
    let shardedSources = 0;
    const select = body.replace(FROM_TABLE, (from, table: string) => {
      const source = this.known(table, name!);
      if (source.kind === 'everywhere') return from;
      shardedSources += 1;
      return `FROM ${source.local} AS ${table}`;
    });
    if (target.kind === 'sharded' && shardedSources !== 1) {
      // A second sharded table in a view would be read from this shard alone: wrong on a cluster.
      throw new Error(`${name}: a view into a sharded table must read exactly one sharded table`);
    }
    if (target.kind === 'everywhere' && shardedSources > 0) {
      throw new Error(`${name}: a view from a sharded table must fill a sharded table`);
    }
    const local = target.kind === 'sharded' ? target.local : to!;
    return select.replace(
      CREATE_VIEW,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${name} ON CLUSTER ${this.target.cluster} TO ${local} AS `,
    );
  }

  /** A sharded table's Distributed table has its own columns: a change goes to both. */
  private alterTable(body: string): string[] {
    const name = ALTER_TABLE.exec(body)![1]!;
    const placement = this.known(name, name);
    const { cluster } = this.target;
    if (placement.kind === 'everywhere') return [onCluster(body, ALTER_TABLE, name, cluster)];
    if (!/^ALTER TABLE [a-z0-9_]+ (ADD|MODIFY|DROP|RENAME) COLUMN /.test(body)) {
      throw new Error(`${name}: only column changes have a cluster form for a sharded table`);
    }
    return [
      onCluster(body, ALTER_TABLE, placement.local, cluster),
      onCluster(body, ALTER_TABLE, name, cluster),
    ];
  }

  /** A backfill reads and writes the Distributed tables, like any writer; no ON CLUSTER. */
  private insertSelect(body: string): string {
    const name = INSERT_SELECT.exec(body)![1]!;
    this.known(name, name);
    return body;
  }

  private known(table: string, by: string): Placement {
    const placement = this.placements.get(table);
    if (!placement)
      throw new Error(`${by}: table ${table} was not created by an earlier migration`);
    return placement;
  }
}

/** `Replacing` + `(updated_at)` → `ReplicatedReplacingMergeTree('<path>', '<replica>', updated_at)`. */
function replicatedEngine(family: string, replication: string, args: string | undefined): string {
  const rest = args?.trim() ? `, ${args.trim()}` : '';
  return `ENGINE = Replicated${family}(${replication}${rest})`;
}

/** Names the table (its local name for a sharded one) and adds ON CLUSTER after it. */
function onCluster(body: string, statement: RegExp, table: string, cluster: string): string {
  return body.replace(statement, (head, name: string) =>
    head.replace(name, `${table} ON CLUSTER ${cluster}`),
  );
}

function withoutCommentLines(sql: string): string {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .trim();
}

/** The cluster to migrate for, from the store's environment; undefined without one. */
export function clusterTarget(env: {
  OSPREY_CLICKHOUSE_CLUSTER?: string;
  CLICKHOUSE_URL?: string;
  CLICKHOUSE_DATABASE: string;
}): ClusterTarget | undefined {
  if (!env.OSPREY_CLICKHOUSE_CLUSTER) return undefined;
  if (!env.CLICKHOUSE_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  OSPREY_CLICKHOUSE_CLUSTER: needs CLICKHOUSE_URL (the embedded store is one node)\nSee .env.example for every variable.',
    );
  }
  return { cluster: env.OSPREY_CLICKHOUSE_CLUSTER, database: env.CLICKHOUSE_DATABASE };
}
