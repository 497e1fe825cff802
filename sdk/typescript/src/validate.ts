import { randomUUID } from 'node:crypto';
import { copyEmbeddings, copyTexts } from './embeddings';
import type { FeatureValue } from './types';

/** A prediction as sent: only the fields the collector knows, plain data, never circular. */
export interface WirePrediction {
  event_id: string;
  timestamp: number;
  model: string;
  version: string;
  features: Record<string, FeatureValue>;
  embeddings: Record<string, number[]> | undefined;
  text: Record<string, string> | undefined;
  prediction: number | string | number[] | undefined;
  latency_ms: number | undefined;
  error: string | undefined;
  tags: Record<string, string> | undefined;
  request_id: string | undefined;
}

/** A reference row as sent to `/v1/reference`; every row of one upload shares the first three. */
export interface WireReference {
  model: string;
  version: string;
  reference_id: string;
  features: Record<string, FeatureValue>;
  embeddings: Record<string, number[]> | undefined;
  text: Record<string, string> | undefined;
  prediction: number | string | number[] | undefined;
  label: number | string | undefined;
  tags: Record<string, string> | undefined;
}

export interface WireLabel {
  model: string;
  label: number | string;
  event_id: string | undefined;
  request_id: string | undefined;
  timestamp: number;
}

const MODEL = /^[A-Za-z0-9_.-]{1,128}$/;
const REFERENCE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const UUID =
  /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;
const MAX_LATENCY_MS = 86_400_000;
const MAX_ERROR_CHARS = 4096;
const MAX_VECTOR = 4096;
const YEAR_3000_MS = 32_503_680_000_000;

/**
 * Checks and copies a prediction the way the collector would check it, so a bad event is refused
 * here with a message naming the field, and the copy cannot change after `log()` returns.
 * Returns the problem as `"<field>: <problem>"` instead of throwing.
 */
export function toWirePrediction(input: unknown, now: number): WirePrediction | string {
  if (input === null || typeof input !== 'object') return 'event: must be an object';
  const e = input as Record<string, unknown>;
  const model = e.model;
  if (typeof model !== 'string' || !MODEL.test(model)) return MODEL_PROBLEM;
  const version = e.version;
  if (!isVersion(version)) return VERSION_PROBLEM;
  const features = copyFeatures(e.features);
  if (typeof features === 'string') return features;
  const vectors = copyVectorsAndTexts(e);
  if (typeof vectors === 'string') return vectors;

  let prediction: WirePrediction['prediction'];
  if (e.prediction !== undefined) {
    const p = copyPrediction(e.prediction);
    if (p === undefined) return PREDICTION_PROBLEM;
    prediction = p;
  }
  let error: string | undefined;
  if (e.error !== undefined) {
    if (typeof e.error !== 'string' || e.error.length === 0)
      return 'error: must be a non-empty string';
    error = e.error.length > MAX_ERROR_CHARS ? e.error.slice(0, MAX_ERROR_CHARS) : e.error;
  }
  if (prediction === undefined && error === undefined)
    return 'prediction: required unless error is set';
  const latency = e.latency_ms;
  if (
    latency !== undefined &&
    !(typeof latency === 'number' && latency >= 0 && latency <= MAX_LATENCY_MS)
  ) {
    return 'latency_ms: must be a number from 0 to 86400000';
  }
  let tags: Record<string, string> | undefined;
  if (e.tags !== undefined) {
    const t = copyTags(e.tags);
    if (typeof t === 'string') return t;
    tags = t;
  }
  const requestId = e.request_id;
  if (requestId !== undefined && !isRequestId(requestId)) return REQUEST_ID_PROBLEM;
  const eventId = e.event_id;
  if (eventId !== undefined && !(typeof eventId === 'string' && UUID.test(eventId)))
    return EVENT_ID_PROBLEM;
  const timestamp = e.timestamp === undefined ? now : toEpochMs(e.timestamp);
  if (timestamp === undefined) return TIMESTAMP_PROBLEM;

  // Every field present (undefined ones are left out by JSON.stringify): one object shape for V8.
  return {
    event_id: eventId === undefined ? randomUUID() : eventId,
    timestamp,
    model,
    version,
    features,
    embeddings: vectors.embeddings,
    text: vectors.text,
    prediction,
    latency_ms: latency,
    error,
    tags,
    request_id: requestId,
  };
}

/** Checks and copies a label; returns the problem as `"<field>: <problem>"` instead of throwing. */
export function toWireLabel(input: unknown, now: number): WireLabel | string {
  if (input === null || typeof input !== 'object') return 'label event: must be an object';
  const e = input as Record<string, unknown>;
  const model = e.model;
  if (typeof model !== 'string' || !MODEL.test(model)) return MODEL_PROBLEM;
  const label = e.label;
  if (!isLabel(label)) {
    return LABEL_PROBLEM;
  }
  const eventId = e.event_id;
  const requestId = e.request_id;
  if (eventId === undefined && requestId === undefined)
    return 'event_id: event_id or request_id is required';
  if (eventId !== undefined && !(typeof eventId === 'string' && UUID.test(eventId)))
    return EVENT_ID_PROBLEM;
  if (requestId !== undefined && !isRequestId(requestId)) return REQUEST_ID_PROBLEM;
  const timestamp = e.timestamp === undefined ? now : toEpochMs(e.timestamp);
  if (timestamp === undefined) return TIMESTAMP_PROBLEM;
  return { model, label, event_id: eventId, request_id: requestId, timestamp };
}

/**
 * Checks what every row of a reference upload shares: the problem as `"<field>: <problem>"`, or
 * undefined when all three are fine.
 */
export function checkReferenceUpload(
  model: unknown,
  version: unknown,
  referenceId: unknown,
): string | undefined {
  if (typeof model !== 'string' || !MODEL.test(model)) return MODEL_PROBLEM;
  if (!isVersion(version)) return VERSION_PROBLEM;
  if (typeof referenceId !== 'string' || !REFERENCE_ID.test(referenceId)) {
    return REFERENCE_ID_PROBLEM;
  }
  return undefined;
}

/**
 * Checks and copies one reference row, `{ features, prediction?, label?, tags? }`, with the same
 * rules as `toWirePrediction()`: features are required, a prediction and a label are optional
 * (`null` counts as none), other fields are not sent. `model`, `version` and `referenceId` must have passed
 * `checkReferenceUpload()`. Returns the problem as `"<field>: <problem>"` instead of throwing.
 */
export function toWireReference(
  input: unknown,
  model: string,
  version: string,
  referenceId: string,
): WireReference | string {
  if (input === null || typeof input !== 'object') return 'row: must be an object';
  const e = input as Record<string, unknown>;
  if (e.features === undefined || e.features === null) {
    return 'features: required, an object of feature name to value';
  }
  const features = copyFeatures(e.features);
  if (typeof features === 'string') return features;
  const vectors = copyVectorsAndTexts(e);
  if (typeof vectors === 'string') return vectors;
  let prediction: WireReference['prediction'];
  if (e.prediction !== undefined && e.prediction !== null) {
    const p = copyPrediction(e.prediction);
    if (p === undefined) return PREDICTION_PROBLEM;
    prediction = p;
  }
  let label: WireReference['label'];
  if (e.label !== undefined && e.label !== null) {
    if (!isLabel(e.label)) return LABEL_PROBLEM;
    label = e.label;
  }
  let tags: Record<string, string> | undefined;
  if (e.tags !== undefined) {
    const t = copyTags(e.tags);
    if (typeof t === 'string') return t;
    tags = t;
  }
  return {
    model,
    version,
    reference_id: referenceId,
    features,
    embeddings: vectors.embeddings,
    text: vectors.text,
    prediction,
    label,
    tags,
  };
}

const MODEL_PROBLEM = 'model: must be 1-128 characters of A-Z a-z 0-9 _ . -';
const VERSION_PROBLEM = 'version: must be a string of 1-128 characters';
const PREDICTION_PROBLEM =
  'prediction: must be a finite number, a string or an array of at most 4096 finite numbers';
const LABEL_PROBLEM = 'label: must be a finite number or a string of at most 1024 characters';
const REFERENCE_ID_PROBLEM = 'reference_id: must be 1-128 characters of A-Z a-z 0-9 _ . : -';
const EVENT_ID_PROBLEM = 'event_id: must be a UUID';
const REQUEST_ID_PROBLEM = 'request_id: must be a string of 1-256 characters';
const TIMESTAMP_PROBLEM = 'timestamp: must be epoch milliseconds, a Date or ISO-8601 text';

function isLabel(v: unknown): v is number | string {
  return (
    (typeof v === 'string' && v.length <= 1024) || (typeof v === 'number' && Number.isFinite(v))
  );
}

function isVersion(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 128;
}

function isRequestId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 256;
}

function copyFeatures(v: unknown): Record<string, FeatureValue> | string {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    return 'features: must be an object of feature name to value';
  const src = v as Record<string, unknown>;
  const out: Record<string, FeatureValue> = {};
  for (const key of Object.keys(src)) {
    const value = src[key];
    let copy: FeatureValue;
    switch (typeof value) {
      case 'number':
        copy = Number.isFinite(value) ? value : null;
        break;
      case 'string':
      case 'boolean':
        copy = value;
        break;
      case 'undefined':
        continue;
      default:
        if (value !== null)
          return `features.${clip(key)}: must be a number, string, boolean or null`;
        copy = null;
    }
    if (key.length === 0 || key.length > 256) return 'features: names must be 1-256 characters';
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true });
    else out[key] = copy;
  }
  return out;
}

function copyPrediction(v: unknown): number | string | number[] | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') return v;
  if (typeof v !== 'object' || v === null) return undefined;
  if (!Array.isArray(v) && !(ArrayBuffer.isView(v) && !(v instanceof DataView))) return undefined;
  const src = v as ArrayLike<unknown>;
  if (src.length > MAX_VECTOR) return undefined;
  const out = new Array<number>(src.length);
  for (let i = 0; i < src.length; i++) {
    const x = src[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return undefined;
    out[i] = x;
  }
  return out;
}

/** An event's `embeddings` and `text`, each copied when present (`null` counts as none). */
function copyVectorsAndTexts(
  e: Record<string, unknown>,
):
  | { embeddings: Record<string, number[]> | undefined; text: Record<string, string> | undefined }
  | string {
  let embeddings: Record<string, number[]> | undefined;
  if (e.embeddings !== undefined && e.embeddings !== null) {
    const copy = copyEmbeddings(e.embeddings);
    if (typeof copy === 'string') return copy;
    embeddings = copy;
  }
  let text: Record<string, string> | undefined;
  if (e.text !== undefined && e.text !== null) {
    const copy = copyTexts(e.text);
    if (typeof copy === 'string') return copy;
    text = copy;
  }
  return { embeddings, text };
}

function copyTags(v: unknown): Record<string, string> | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return 'tags: must be an object of string to string';
  const src = v as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of Object.keys(src)) {
    const value = src[key];
    if (typeof value !== 'string' || value.length > 1024) {
      return `tags.${clip(key)}: must be a string of at most 1024 characters`;
    }
    if (key.length > 256) return 'tags: names must be at most 256 characters';
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, enumerable: true, writable: true });
    else out[key] = value;
  }
  return out;
}

function toEpochMs(v: unknown): number | undefined {
  const ms =
    typeof v === 'number'
      ? v
      : v instanceof Date
        ? v.getTime()
        : typeof v === 'string'
          ? Date.parse(v)
          : NaN;
  return Number.isFinite(ms) && ms >= 0 && ms < YEAR_3000_MS ? Math.trunc(ms) : undefined;
}

function clip(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}
