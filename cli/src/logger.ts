import { pino, type Logger } from 'pino';

/** Structured JSON logs; anything that could carry a secret is censored by path. */
export function createLogger(level: string, name = 'osprey'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'apiKey',
        'key',
        'password',
        '*.apiKey',
        '*.key',
        '*.password',
        'req.headers.authorization',
        'headers.authorization',
        'config.CLICKHOUSE_PASSWORD',
        'config.OSPREY_API_KEY',
      ],
      censor: '[redacted]',
    },
  });
}
