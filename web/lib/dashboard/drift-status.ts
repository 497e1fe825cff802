/** A model's drift at a glance, from its latest stored drift report. */
export interface DriftStatus {
  /**
   * drift: the report found dataset drift; warning: some features drifted, below the model's
   * drift share; ok: features were compared and none drifted; unknown: no report, or nothing to
   * compare (no reference, no current values).
   */
  status: 'ok' | 'warning' | 'drift' | 'unknown';
  window_end: string | null;
  drifted_features: string[];
}

interface StoredDriftReport {
  window?: { to?: string };
  dataset_drift?: boolean;
  features?: { feature: string; drift: boolean | null }[];
  prediction?: { drift: boolean | null } | null;
}

/** Reads the parts of a stored drift report (detectors' DriftReport) the Overview needs. */
export function driftStatus(document: object | undefined): DriftStatus {
  if (!document) return { status: 'unknown', window_end: null, drifted_features: [] };
  const report = document as StoredDriftReport;
  const features = report.features ?? [];
  const drifted = features.filter((f) => f.drift === true).map((f) => f.feature);
  const judged = features.some((f) => f.drift !== null) || report.prediction?.drift != null;
  const status = report.dataset_drift
    ? 'drift'
    : drifted.length > 0 || report.prediction?.drift === true
      ? 'warning'
      : judged
        ? 'ok'
        : 'unknown';
  return { status, window_end: report.window?.to ?? null, drifted_features: drifted };
}
