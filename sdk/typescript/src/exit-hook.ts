const hooks = new Set<() => void>();
let installed = false;

function runHooks(): void {
  installed = false;
  const due = [...hooks];
  hooks.clear();
  for (const hook of due) {
    try {
      hook();
    } catch {
      // one client's failure must not stop the others from flushing
    }
  }
}

/**
 * Runs `hook` once, on the process's first `beforeExit` (the event loop ran dry; not emitted on
 * `process.exit()` or signals). One listener serves every client, so many clients do not trip
 * Node's max-listeners warning. Returns a function that removes the hook.
 */
export function onBeforeExit(hook: () => void): () => void {
  hooks.add(hook);
  if (!installed) {
    installed = true;
    process.once('beforeExit', runHooks);
  }
  return () => {
    hooks.delete(hook);
    if (hooks.size === 0 && installed) {
      installed = false;
      process.removeListener('beforeExit', runHooks);
    }
  };
}
