import { parseArgs } from 'node:util';

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
  secrets rotate                       re-encrypt stored secrets under OSPREY_SECRET_KEY
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
  // Each command loads only its own modules: the collector does not need onnxruntime, nodemailer
  // or Next.js in memory, and a one-shot command starts faster.
  switch (command) {
    case 'start':
      return (await import('./roles/start')).start({ demo: values.demo ?? false });
    case 'collector':
      return (await import('./roles/collector')).collectorRole();
    case 'ingest':
      return (await import('./roles/ingest')).ingestRole();
    case 'web':
      return (await import('./roles/web')).webRole();
    case 'detectors':
      return (await import('./roles/detectors')).detectorsRole();
    case 'shadow-runner':
      return (await import('./roles/shadow-runner')).shadowRunnerRole();
    case 'detect':
      return (await import('./commands/detect')).detectCommand(values);
    case 'models':
      return (await import('./commands/models')).modelsCommand(rest[0], rest[1], values);
    case 'migrate':
      return (await import('./commands/migrate')).migrateCommand();
    case 'keys':
      return (await import('./commands/keys')).keysCommand(rest[0], values);
    case 'secrets':
      return (await import('./commands/secrets')).secretsCommand(rest[0]);
    case 'status':
      return (await import('./commands/status')).statusCommand();
    case 'sql':
      return (await import('./commands/sql')).sqlCommand(rest.join(' '));
    default:
      throw new Error(`unknown command '${command}'\n\n${USAGE}`);
  }
}

main().catch((err: unknown) => {
  console.error(`osprey: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
