import { describe, expect, it } from 'vitest';
import { advance, aligned, resolveRange } from './time-range';

const NOW = Date.parse('2026-03-10T12:34:56Z');
const HOUR = 3_600_000;

describe('dashboard time ranges', () => {
  it('reads a preset, a custom range, and falls back to the last 24 hours', () => {
    expect(resolveRange({ range: '6h' }, NOW)).toMatchObject({
      key: '6h',
      from: NOW - 6 * HOUR,
      to: NOW,
      live: true,
    });
    expect(
      resolveRange({ from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', range: '1h' }, NOW),
    ).toMatchObject({
      key: 'custom',
      from: Date.parse('2026-03-01T00:00:00Z'),
      to: Date.parse('2026-03-02T00:00:00Z'),
      live: false,
    });
    for (const bad of [
      { range: '2y' },
      { from: 'yesterday', to: 'today' },
      { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' },
    ]) {
      expect(resolveRange(bad, NOW)).toMatchObject({ key: '24h', from: NOW - 24 * HOUR, to: NOW });
    }
  });

  it('moves a live range with the clock and leaves a custom one where it is', () => {
    const live = resolveRange({ range: '1h' }, NOW);
    expect(advance(live, NOW + 60_000)).toMatchObject({
      from: NOW - HOUR + 60_000,
      to: NOW + 60_000,
    });
    const fixed = resolveRange({ from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' }, NOW);
    expect(advance(fixed, NOW + 60_000)).toBe(fixed);
  });

  it('puts both ends on whole steps, the current step included', () => {
    const { from, to } = aligned(resolveRange({ range: '6h' }, NOW), 900);
    expect(to.toISOString()).toBe('2026-03-10T12:45:00.000Z');
    expect(from.toISOString()).toBe('2026-03-10T06:45:00.000Z');
  });
});
