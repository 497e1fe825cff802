import { parseArgs } from 'node:util';
import { detectCommand } from './commands/detect';
import { keysCommand } from './commands/keys';
import { migrateCommand } from './commands/migrate';
import { modelsCommand } from './commands/models';
import { sqlCommand } from './commands/sql';
import { statusCommand } from './commands/status';
import { collectorRole } from './roles/collector';
import { detectorsRole } from './roles/detectors';
import { ingestRole } from './roles/ingest';
import { shadowRunnerRole } from './roles/shadow-runner';
import { start } from './roles/start';
import { webRole } from './roles/web';

const USAGE = `usage: osprey <command>

  start [--demo]                       everything in one process (embedded chDB store;
                                       through Kafka when KAFKA_BROKERS is set)
  collector                            the HTTP collector alone, producing to Kafka
  ingest                               the Kafka → ClickHouse consumer alone
  web                                  the dashboard and /api/v1 alone
  detectors                            the detector scheduler alone
  shadow-runner                        executes queued shadow runs (replays) alone
  migrate                              apply database migrations
  keys create --name N --scopes S      create an API key (scopes: ingest,read,admin)
  sql "<SELECT …>"                     read-only query against the store, TSV output
  status                               pipeline health: broker, ingest lag per partition, last insert
  detect --model M --from T --to T [--version V]
                                       run the detectors on one range now, print JSON
  models push FILE --model M --version V --features f1,f2,…
                                       register an ONNX model version (through the API)
  models promote|rollback|versions|production --model M …
                                       manage which version is in production

Configuration comes from environment variables; see .env.example.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    demo: { type: 'boolean', default: false },
    name: { type: 'string' },
    scopes: { type: 'string' },
    model: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    version: { type: 'string' },
    features: { type: 'string' },
    reason: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const [command, ...rest] = positionals;

async function main(): Promise<void> {
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  switch (command) {
    case 'start':
      return start({ demo: values.demo ?? false });
    case 'collector':
      return collectorRole();
    case 'ingest':
      return ingestRole();
    case 'web':
      return webRole();
    case 'detectors':
      return detectorsRole();
    case 'shadow-runner':
      return shadowRunnerRole();
    case 'detect':
      return detectCommand(values);
    case 'models':
      return modelsCommand(rest[0], rest[1], values);
    case 'migrate':
      return migrateCommand();
    case 'keys':
      return keysCommand(rest[0], values);
    case 'status':
      return statusCommand();
    case 'sql':
      return sqlCommand(rest.join(' '));
    default:
      throw new Error(`unknown command '${command}'\n\n${USAGE}`);
  }
}

main().catch((err: unknown) => {
  console.error(`osprey: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
