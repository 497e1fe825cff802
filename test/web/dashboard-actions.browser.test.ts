import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FIXTURE_MODELS, HOUSE_FEATURES } from '../../shadow-runner/src/testing/python';
import { SCREENSHOT_DIR, launchBrowser } from '../support/browser';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { startReceiver, type TestReceiver } from '../support/receiver';
import { api, postAll } from '../support/upload';

// The action pages in a real browser, against a real `osprey start`: an admin writes an alert
// rule, replays traffic through a candidate and rolls production back; a user who lost the editor
// role while the page was open is refused by the API (403 shown) and production stays.
const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };
const DANA = { email: 'dana@example.com', password: 'dana-password-123' };
const MODEL = 'houses';
const N = 600;

let osprey: OspreyProcess;
let browser: Browser;
let receiver: TestReceiver;
let danaId: string;
let windows: { from: string; to: string }[];

const admin = <T>(method: string, path: string, body?: unknown) =>
  api<T>(osprey.url, osprey.apiKey, method, path, body);

beforeAll(async () => {
  receiver = await startReceiver();
  [osprey, browser] = await Promise.all([
    startOsprey({
      env: {
        OSPREY_ADMIN_EMAIL: ADMIN.email,
        OSPREY_ADMIN_PASSWORD: ADMIN.password,
        OSPREY_DETECTORS: 'off',
        OSPREY_EP: 'cpu',
        OSPREY_WEBHOOK_ALLOW: '127.0.0.1',
      },
    }),
    launchBrowser(),
  ]);
  // 50 minutes of logged traffic for `houses` v1 whose latency jumps in the last 20, the two
  // fixture models registered, v1 then v2 promoted: production is v2 and a rollback goes to v1.
  // On a 10-minute edge: the model's windows are 10 minutes (below) and detect computes them.
  const start = Math.floor((Date.now() - 3_600_000) / 600_000) * 600_000;
  await postAll(
    osprey.url,
    osprey.apiKey,
    '/v1/predictions',
    Array.from({ length: N }, (_, i) => {
      const area = 40 + ((i * 17) % 150);
      return {
        model: MODEL,
        version: 'v1',
        timestamp: start + i * 5_000,
        features: {
          rooms: 1 + (i % 6),
          bedrooms: 1 + (i % 4),
          area_sqm: area,
          age_years: (i * 7) % 80,
          distance_to_center_km: 1 + (i % 15),
          has_garden: i % 2 === 0,
        },
        prediction: 60_000 + area * 2_400 + ((i * 37) % 11) * 1_000,
        latency_ms: (i < 360 ? 4 : 30) + (i % 5),
      };
    }),
  );
  for (const [version, file] of [
    ['v1', 'house_price_linear.onnx'],
    ['v2', 'house_price_gbr.onnx'],
  ] as const) {
    const res = await fetch(
      `${osprey.url}/api/v1/models/${MODEL}/versions?version=${version}&features=${HOUSE_FEATURES.join(',')}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${osprey.apiKey}` },
        body: readFileSync(join(FIXTURE_MODELS, file)),
      },
    );
    expect(res.status).toBe(201);
    const promoted = await admin('POST', `/api/v1/models/${MODEL}/promote`, {
      version,
      reason: `release ${version}`,
    });
    expect(promoted.status).toBe(201);
  }
  // Five detected 10-minute windows (p95 latency 8, 8, 8, 34, 34 ms) for the rule preview: the
  // model's windows are 10 minutes, so POST …/detect computes exactly these.
  expect(
    (await admin('PUT', `/api/v1/models/${MODEL}/settings`, { window_minutes: 10 })).status,
  ).toBe(200);
  windows = Array.from({ length: 5 }, (_, w) => ({
    from: new Date(start + w * 600_000).toISOString(),
    to: new Date(start + (w + 1) * 600_000).toISOString(),
  }));
  for (const window of windows)
    expect((await admin('POST', `/api/v1/models/${MODEL}/detect`, window)).status).toBe(200);
  const dana = await admin<{ id: string }>('POST', '/api/v1/users', { ...DANA, role: 'editor' });
  expect(dana.status).toBe(201);
  danaId = dana.body.id;
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await osprey?.stop();
  await receiver?.close();
});

async function signIn(user: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${osprey.url}/login`);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${osprey.url}/`);
  return page;
}

const production = async () =>
  (await admin<{ version: string }>('GET', `/v1/models/${MODEL}/production`)).body.version;

it('an admin creates an alert rule in the editor: API errors by the field, a preview, the rule fires', async () => {
  const page = await signIn(ADMIN);
  await page.goto(`${osprey.url}/alerts?tab=rules`);
  await page.click('[data-testid=new-rule]');
  const editor = page.locator('[data-testid=rule-editor]');
  await editor.locator('input[name=name]').fill('Slow p95');
  await editor.locator('select[name=model]').selectOption(MODEL);
  await editor.locator('select[name=metric]').selectOption('latency.p95');
  await editor.locator('input[name=threshold]').fill('15');
  await editor.locator('select[name=severity]').selectOption('critical');
  await editor.locator('input[name=repeat_interval]').fill('soon');
  await editor.locator('button[type=submit]').click();
  // The API's 400 names repeat_interval; the editor shows it under that field.
  const invalid = editor.locator('[data-invalid=true]');
  await expect.poll(() => invalid.count()).toBe(1);
  expect(await invalid.innerText()).toContain('must be a duration such as "4h"');
  expect(await invalid.locator('input').getAttribute('name')).toBe('repeat_interval');

  await editor.locator('input[name=repeat_interval]').fill('1h');
  await editor.locator('[data-testid=preview-rule]').click();
  const preview = editor.locator('[data-testid=rule-preview]');
  await expect
    .poll(() => preview.innerText().catch(() => ''))
    .toMatch(/Would have fired 1 time in the last 7 days \(5 detected windows replayed\)/);
  await page.screenshot({
    path: `${SCREENSHOT_DIR}/dashboard-alert-rule-editor.png`,
    fullPage: true,
  });
  await editor.locator('button[type=submit]').click();

  const row = page.locator('[data-testid=rule-row][data-name="Slow p95"]');
  await row.waitFor();
  expect(await row.innerText()).toContain('latency.p95 > 15');
  const rules = await admin<unknown[]>('GET', '/api/v1/alert-rules');
  expect(rules.body).toEqual([
    expect.objectContaining({
      name: 'Slow p95',
      model: MODEL,
      metric: 'latency.p95',
      threshold: 15,
      severity: 'critical',
      repeat_interval: '1h',
    }),
  ]);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-alert-rules.png`, fullPage: true });

  // The next detection of the slow window fires it, and the Alerts tab lists it.
  expect((await admin('POST', `/api/v1/models/${MODEL}/detect`, windows[4])).status).toBe(200);
  await page.goto(`${osprey.url}/alerts`);
  const firing = page.locator('[data-testid=alert-row][data-state=firing]');
  expect(await firing.innerText()).toContain('Slow p95');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-alerts.png`, fullPage: true });
  await page.context().close();
});

it('an admin starts a shadow replay and watches its progress bar reach 100%, then starts and cancels a live mirror', async () => {
  const page = await signIn(ADMIN);
  await page.goto(`${osprey.url}/shadow`);
  const form = page.locator('[data-testid=start-replay]');
  await form.locator('select[name=model]').selectOption(MODEL);
  // Production is v2, so the candidate offered is v1.
  await form.locator('select[name=candidate_version]').selectOption('v1');
  await form.locator('input[name=limit]').fill('500');
  await form.locator('button[type=submit]').click();

  const row = page.locator('[data-testid=run-row]').first();
  await row.waitFor();
  const bar = row.locator('[role=progressbar]');
  const status = row.locator('[data-testid=run-status]');
  await expect
    .poll(async () => `${await status.innerText()} ${await bar.getAttribute('aria-valuenow')}%`, {
      timeout: 30_000,
      interval: 100,
    })
    .toBe('done 100%');
  expect(await row.innerText()).toContain('500 / 500');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-shadow-runs.png`, fullPage: true });

  // A live mirror of the same candidate starts listening, and Cancel stops it.
  await form.locator('select[name=mode]').selectOption('live');
  await form.locator('input[name=sample_percent]').fill('100');
  await form.locator('button[type=submit]').click();
  const live = page.locator('[data-testid=run-row]').first();
  await expect.poll(() => live.innerText()).toContain('live');
  await live.locator('button', { hasText: 'Cancel' }).click();
  await expect
    .poll(() => live.locator('[data-testid=run-status]').innerText(), { timeout: 15_000 })
    .toBe('cancelled');
  expect(await page.locator('[data-testid=run-row]').count()).toBe(2);

  // The replay's page: the comparison drawn from its 500 results, the summary and the verdict.
  const replay = page.locator('[data-testid=run-row]').nth(1);
  expect(await replay.innerText()).toContain('replay');
  await replay.locator('a', { hasText: 'Open' }).click();
  await page.locator('[data-testid=verdict-panel]').waitFor();
  await page.locator('[data-testid=scatter] svg .recharts-scatter-symbol').first().waitFor();
  expect(await page.locator('[data-testid=stat-compared]').innerText()).toBe('500');
  expect(await page.locator('[data-testid=diff-histogram] .recharts-bar-rectangle').count()).toBe(
    40,
  );
  // Production (v2, registered) was recomputed beside the candidate on the same batches.
  const side = page.locator('[data-testid=side-by-side]');
  const models = await side.locator('[data-testid=side-by-side-models]').innerText();
  expect(models).toMatch(/Version\s+v2\s+v1/);
  expect(models).toMatch(/Model size\s+33\.0 KiB\s+433 B/);
  expect(await side.locator('[data-testid=side-speedup]').innerText()).toMatch(
    /speed-up\s+[\d.,]+×/i,
  );
  expect(await side.locator('[data-testid=side-by-side-agreement]').innerText()).toMatch(
    /Candidate vs production recomputed\s+500\s/,
  );
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-shadow-run.png`, fullPage: true });
  await page.context().close();
});

it('an admin rolls production back with a reason, and the page shows the new production', async () => {
  const page = await signIn(ADMIN);
  await page.goto(`${osprey.url}/versions?model=${MODEL}`);
  const prod = page.locator('[data-testid=production-version]');
  expect(await prod.innerText()).toBe('v2');
  expect(await page.locator('[data-production=true]').getAttribute('data-version')).toBe('v2');

  await page.click('[data-testid=rollback]');
  const dialog = page.locator('[data-testid=deploy-dialog]');
  // The reason is required: an empty one is refused before anything is sent.
  await dialog.locator('button[type=submit]').click();
  expect(await dialog.locator('[role=alert]').innerText()).toContain('must say why');
  expect(await production()).toBe('v2');
  await dialog.locator('textarea[name=reason]').fill('v2 over-predicts large flats');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-rollback-dialog.png` });
  await dialog.locator('button[type=submit]').click();

  await expect.poll(() => prod.innerText()).toBe('v1');
  expect(await page.locator('[data-production=true]').getAttribute('data-version')).toBe('v1');
  const latest = page.locator('[data-testid=deployment]').first();
  expect(await latest.innerText()).toContain('Rolled back to v1');
  expect(await latest.innerText()).toContain('v2 over-predicts large flats');
  expect(await latest.innerText()).toContain(ADMIN.email);
  expect(await production()).toBe('v1');

  // Upload a third version from the page: onnxruntime checks it on the server, the registry lists it.
  const upload = page.locator('[data-testid=upload-form]');
  await upload
    .locator('input[name=file]')
    .setInputFiles(join(FIXTURE_MODELS, 'house_price_above_400k.onnx'));
  await upload.locator('input[name=version]').fill('v3');
  await upload.locator('input[name=description]').fill('classifier: above 400k');
  await upload.locator('button[type=submit]').click();
  await page.locator('[data-testid=version-row][data-version=v3]').waitFor();
  expect(await upload.locator('[role=status]').innerText()).toMatch(
    /^Registered v3 \(sha256 [0-9a-f]{12}…\)\.$/,
  );
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-versions.png`, fullPage: true });
  await page.context().close();
});

it('a viewer cannot roll back: the API answers 403 and production stays', async () => {
  const page = await signIn(DANA);
  await page.goto(`${osprey.url}/versions?model=${MODEL}`);
  const rollback = page.locator('[data-testid=rollback]');
  expect(await rollback.isEnabled()).toBe(true); // an editor when the page was drawn
  // An admin makes Dana a viewer while her page is open; the button still shows, the API refuses.
  expect((await admin('PUT', `/api/v1/users/${danaId}`, { role: 'viewer' })).status).toBe(200);
  await rollback.click();
  const dialog = page.locator('[data-testid=deploy-dialog]');
  await dialog.locator('textarea[name=reason]').fill('trying as a viewer');
  await dialog.locator('button[type=submit]').click();
  const error = dialog.locator('[data-testid=deploy-error]');
  await error.waitFor();
  expect(await error.innerText()).toMatch(/^403 Forbidden: .*editor/);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-viewer-refused.png` });
  expect(await production()).toBe('v1');

  // Drawn again for the viewer, the page offers no rollback or promote at all.
  await page.reload();
  expect(await page.locator('[data-testid=production-version]').innerText()).toBe('v1');
  expect(await rollback.isDisabled()).toBe(true);
  for (const button of await page.locator('[data-testid=promote]').all())
    expect(await button.isDisabled()).toBe(true);
  // Elsewhere too: no rule editing, no replay, and Settings shows only the account.
  await page.goto(`${osprey.url}/alerts?tab=rules`);
  expect(await page.locator('[data-testid=new-rule]').isDisabled()).toBe(true);
  await page.goto(`${osprey.url}/shadow`);
  expect(await page.locator('[data-testid=start-replay] button[type=submit]').isDisabled()).toBe(
    true,
  );
  await page.goto(`${osprey.url}/settings`);
  expect(await page.locator('[data-testid=settings-role-note]').innerText()).toContain('viewer');
  expect(await page.locator('[data-testid=api-key-form]').count()).toBe(0);
  await page.context().close();
});

it('an admin creates an API key, sees its secret once, and revokes it', async () => {
  const page = await signIn(ADMIN);
  await page.goto(`${osprey.url}/settings`);
  const form = page.locator('[data-testid=api-key-form]');
  await form.locator('input[name=name]').fill('batch-scorer');
  await form.locator('input[name=scopes][value=ingest]').uncheck();
  await form.locator('input[name=scopes][value=read]').check();
  await form.locator('button[type=submit]').click();
  const secret = await page.locator('[data-testid=secret-value]').innerText();
  const whoami = () =>
    fetch(`${osprey.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
  expect((await whoami()).status).toBe(200);
  const row = page.locator('[data-testid=api-key-row][data-name=batch-scorer]');
  expect(await row.innerText()).toContain('active');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-settings-api-keys.png` });

  await row.locator('button', { hasText: 'Revoke' }).click();
  await page.locator('dialog[open] button[type=submit]').click();
  await expect.poll(() => row.innerText()).toContain('revoked');
  expect((await whoami()).status).toBe(401);
  // The secret is not in the page once it is reloaded.
  await page.reload();
  expect(await page.content()).not.toContain(secret);
  await page.context().close();
});

it('an admin adds a webhook channel, sends a test through it, and finds it in the notification log', async () => {
  const page = await signIn(ADMIN);
  await page.goto(`${osprey.url}/settings?tab=channels`);
  const form = page.locator('[data-testid=channel-form]');
  await form.locator('select[name=kind]').selectOption('webhook');
  await form.locator('input[name=name]').fill('incident bot');
  await form.locator('input[name=url]').fill(receiver.url('/hooks/osprey'));
  await form.locator('button[type=submit]').click();
  expect(await page.locator('[data-testid=secret-value]').innerText()).toMatch(/^whsec_/);

  const row = page.locator('[data-testid=channel-row][data-name="incident bot"]');
  await row.locator('button', { hasText: 'Send test' }).click();
  // The Last test cell: the outcome, and when.
  const outcome = row.locator('[data-testid=test-outcome]');
  const sentAt = row.locator('[data-testid=test-time]');
  await expect.poll(() => outcome.innerText()).toBe('delivered · 200');
  const today = new Date().toISOString().slice(0, 10);
  expect(await sentAt.innerText()).toMatch(new RegExp(`^${today} \\d\\d:\\d\\d:\\d\\d UTC$`));
  // Read back from the notification log, so it is still there after a reload (it read "—").
  await page.reload();
  expect(await outcome.innerText()).toBe('delivered · 200');
  expect(await sentAt.innerText()).toContain(today);
  const [request] = receiver.at('/hooks/osprey');
  expect(JSON.parse(request!.body)).toMatchObject({ type: 'alert.test' });
  expect(request!.headers['webhook-signature']).toMatch(/^v1,/);
  await page.screenshot({
    path: `${SCREENSHOT_DIR}/dashboard-settings-channels.png`,
    fullPage: true,
  });

  await page.goto(`${osprey.url}/alerts?tab=notifications`);
  const logged = page.locator('[data-testid=notification-row]').first();
  expect(await logged.innerText()).toMatch(/test\s+incident bot\s+webhook[\s\S]*delivered\s+200/);
  await page.goto(`${osprey.url}/settings?tab=users`);
  await page.locator(`[data-testid=user-row][data-email="${DANA.email}"]`).waitFor();
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-settings-users.png`, fullPage: true });
  await page.context().close();
});
