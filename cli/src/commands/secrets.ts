import { openKeyring, parseEnv } from '@osprey/db';
import { resealChannelSecrets } from '@osprey/detectors';
import { commandEnv } from '../env';
import { withStore } from './with-store';

/**
 * `osprey secrets rotate`: after OSPREY_SECRET_KEY became the new key and the old one moved to
 * OSPREY_SECRET_KEY_PREVIOUS, re-seals every stored secret under the new key. Idempotent; when it
 * reports 0 unreadable, the previous key can be removed.
 */
export async function secretsCommand(sub: string | undefined): Promise<void> {
  if (sub !== 'rotate') throw new Error('usage: osprey secrets rotate');
  const env = parseEnv(commandEnv);
  const { keyring } = openKeyring(env);
  const result = await withStore(
    {
      migrate: true,
      whileServerRuns: 'stop it, run `osprey secrets rotate`, then start it again',
    },
    async (store) => {
      store.secrets = keyring;
      return resealChannelSecrets(store, { plaintextOnly: false });
    },
  );
  console.log(
    `channels: ${result.total}, re-encrypted under key ${keyring.currentKeyId}: ${result.resealed}, unreadable with the configured keys: ${result.unreadable}`,
  );
  if (result.unreadable > 0) process.exitCode = 2;
}
