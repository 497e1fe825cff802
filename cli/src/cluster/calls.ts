/**
 * Calls from a cluster worker to its primary over the IPC channel node:cluster sets up: the
 * workers of a role hold no store of their own (a chDB directory belongs to one process), so
 * what needs one — looking up an API key, a health check — is asked of the primary.
 */

/** What the primary answers; every call takes one JSON-serializable argument. */
export type PrimaryMethods = Record<string, (arg: never) => Promise<unknown>>;

interface CallMessage {
  osprey: 'call';
  id: number;
  method: string;
  arg: unknown;
}

interface ReplyMessage {
  osprey: 'reply';
  id: number;
  value?: unknown;
  error?: string;
}

const CALL_TIMEOUT_MS = 10_000;

const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
let nextId = 0;
let listening = false;

/** In a worker: runs `method` in the primary and returns its answer. */
export function callPrimary<T>(method: string, arg?: unknown): Promise<T> {
  if (!process.send) throw new Error('callPrimary: this process is not a cluster worker');
  if (!listening) {
    listening = true;
    process.on('message', (message: ReplyMessage) => {
      if (message?.osprey !== 'reply') return;
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      if (message.error !== undefined) call.reject(new Error(message.error));
      else call.resolve(message.value);
    });
  }
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`the primary did not answer ${method} within ${CALL_TIMEOUT_MS} ms`));
    }, CALL_TIMEOUT_MS);
    timer.unref();
    pending.set(id, {
      resolve: (v) => {
        clearTimeout(timer);
        resolve(v as T);
      },
      reject: (e) => {
        clearTimeout(timer);
        reject(e);
      },
    });
    const message: CallMessage = { osprey: 'call', id, method, arg };
    process.send!(message);
  });
}

/** In the primary: answers one message from a worker if it is a call; returns whether it was. */
export function answerCall(
  methods: PrimaryMethods,
  message: unknown,
  reply: (message: ReplyMessage) => void,
): boolean {
  const call = message as CallMessage;
  if (call?.osprey !== 'call') return false;
  const method = methods[call.method];
  const answer = method
    ? method(call.arg as never)
    : Promise.reject(new Error(`no such primary method: ${call.method}`));
  answer.then(
    (value) => reply({ osprey: 'reply', id: call.id, value }),
    (err: unknown) =>
      reply({ osprey: 'reply', id: call.id, error: (err as Error)?.message ?? String(err) }),
  );
  return true;
}
