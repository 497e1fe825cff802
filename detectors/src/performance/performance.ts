import { Tables, type QueryParams, type Store } from '@osprey/db';
import { classOrder } from './class-order';
import type { Scope, Target } from '../reference/resolve';
import type { ResultRow } from '../results/runs';
import type { ModelSettings } from '../settings/model-settings';
import { anyLabels, latestLabelJoins } from '../sql/labels';
import { predictionRowsOf, targetKey, type RowScope, type RowSet } from '../sql/rows';
import { isoWindow } from '../window';

export type Task = 'binary' | 'multiclass' | 'regression';

/** sklearn's log_loss clips probabilities to [eps, 1 - eps] with float64's eps. */
const EPS = 2.220446049250313e-16;

/**
 * Model performance on the window's predictions that have labels. Labels join by event_id, or by
 * request_id (the latest label of each wins), whenever they arrived. Classification: accuracy,
 * precision, recall and F1 (binary and macro), ROC AUC and log loss from scores; regression: MAE,
 * RMSE, MAPE, R². The task comes from the model's settings, else from the data: text labels or
 * predictions → multiclass; labels all 0/1 → binary (scores ≥ 0.5 are class 1); else regression.
 */
export async function detectPerformance(store: Store, settings: ModelSettings, scope: Scope) {
  return (await detectPerformanceOf(store, [{ scope, settings }]))[0]!;
}

/**
 * detectPerformance of targets of one window: the labelled rows' shape in one statement grouped by
 * model, then the metrics of the binary models in one and of the regression models in one; a
 * multiclass model's (its own class list) in one of its own.
 */
export async function detectPerformanceOf(
  store: Store,
  targets: readonly Target[],
  /** Whether any of the targets' models has ever received a label, when the caller knows. */
  anyLabelled?: boolean,
) {
  const cur = predictionRowsOf(
    'cur',
    targets.map(({ scope }) => ({ scope, ...scope.window })),
  );
  const labelled = labelledPredictions(cur);
  const tasks = await labelledTasks(
    store,
    targets.map(({ scope, settings }) => ({ target: targetKey(scope), settings })),
    labelled,
    cur.params,
    anyLabelled ??
      (await anyLabels(
        store,
        targets.map((t) => t.scope.model),
      )),
  );
  const metrics = new Map<string, Metrics>();
  const measured = (m: string) => tasks.get(m)!.n > 0;
  for (const task of ['binary', 'regression'] as const) {
    const models = [...tasks].filter(([m, t]) => t.task === task && measured(m)).map(([m]) => m);
    if (models.length === 0) continue;
    const of = await METRICS[task](store, onlyModels(labelled), {
      ...cur.params,
      perf_models: models,
    });
    for (const [m, v] of of) metrics.set(m, v);
  }
  for (const [m, t] of tasks) {
    if (t.task !== 'multiclass' || !measured(m)) continue;
    const of = await METRICS.multiclass(store, onlyModels(labelled), {
      ...t.params,
      perf_models: [m],
    });
    metrics.set(m, of.get(m) ?? {});
  }
  return targets.map(({ scope }) => {
    const { task, n, vectors } = tasks.get(targetKey(scope))!;
    const measuredMetrics = metrics.get(targetKey(scope)) ?? {};
    const document = {
      window: isoWindow(scope.window),
      task,
      labelled: n,
      ...(vectors ? { vectors } : {}),
      metrics: measuredMetrics,
    };
    const rows: ResultRow[] = Object.entries(measuredMetrics).map(([statistic, value]) => ({
      target: 'model',
      feature: '',
      kind: task,
      statistic,
      value,
      current_size: n,
    }));
    return { document, rows, referenceKey: '' };
  });
}

/** The labelled rows of the targets in {perf_models}. */
function onlyModels(labelled: string): string {
  return `SELECT * FROM (${labelled}) WHERE target IN {perf_models:Array(String)}`;
}

type Metrics = Record<string, number | null>;
/** Each model's metrics, from the labelled rows of one or several models. */
type Compute = (
  store: Store,
  labelled: string,
  params: QueryParams,
) => Promise<Map<string, Metrics>>;

const METRICS: Record<Task, Compute> = {
  async binary(store, labelled, params) {
    const rows = await store.query<Record<string, number | string>>(
      `SELECT target AS model, countIf(pc = 1 AND ln = 1) AS tp, countIf(pc = 1 AND ln = 0) AS fp,
              countIf(pc = 0 AND ln = 1) AS fn, countIf(pc = 0 AND ln = 0) AS tn,
              arrayAUC(groupArray(score), groupArray(ln)) AS auc,
              avg(-(ln * log(greatest(least(score, 1 - ${EPS}), ${EPS}))
                  + (1 - ln) * log(1 - greatest(least(score, 1 - ${EPS}), ${EPS})))) AS log_loss,
              countIf(ln = 1) AS positives
       FROM (SELECT target, toFloat64(ln) AS ln, assumeNotNull(pn) AS score,
                    toUInt8(score >= 0.5) AS pc
             FROM (${labelled}) WHERE pn IS NOT NULL)
       GROUP BY target`,
      params,
    );
    return new Map(
      rows.map((r) => {
        const [tp, fp, fn, tn] = ['tp', 'fp', 'fn', 'tn'].map((k) => Number(r[k]));
        const one = classScores(tp!, fp!, fn!);
        const zero = classScores(tn!, fn!, fp!);
        const both = Number(r.positives) > 0 && Number(r.positives) < tp! + fp! + fn! + tn!;
        return [
          String(r.model),
          {
            accuracy: (tp! + tn!) / (tp! + fp! + fn! + tn!),
            precision: one.precision,
            recall: one.recall,
            f1: one.f1,
            f1_macro: (one.f1 + zero.f1) / 2,
            roc_auc: both ? Number(r.auc) : null,
            log_loss: Number(r.log_loss),
          },
        ];
      }),
    );
  },

  async multiclass(store, labelled, params) {
    const cells = await store.query<{ model: string; label: string; predicted: string; n: string }>(
      `SELECT target AS model, ${LABEL_CLASS} AS label, assumeNotNull(${PREDICTED_CLASS}) AS predicted,
              count() AS n
       FROM (${labelled}) WHERE ${PREDICTED_CLASS} IS NOT NULL GROUP BY target, label, predicted`,
      params,
    );
    const byModel = new Map<string, typeof cells>();
    for (const c of cells) {
      const of = byModel.get(c.model);
      if (of) of.push(c);
      else byModel.set(c.model, [c]);
    }
    return new Map([...byModel].map(([model, of]) => [model, multiclassMetrics(of)]));
  },

  async regression(store, labelled, params) {
    const rows = await store.query<{
      model: string;
      mae: number;
      rmse: number;
      mape: number;
      r2: number;
    }>(
      `SELECT target AS model, avg(abs(pn - ln)) AS mae, sqrt(avg(pow(pn - ln, 2))) AS rmse,
              avg(abs(pn - ln) / greatest(abs(ln), ${EPS})) AS mape,
              1 - sum(pow(pn - ln, 2)) / (count() * varPop(ln)) AS r2
       FROM (SELECT target, assumeNotNull(pn) AS pn, assumeNotNull(ln) AS ln FROM (${labelled})
             WHERE pn IS NOT NULL AND ln IS NOT NULL)
       GROUP BY target`,
      params,
    );
    return new Map(
      rows.map((r) => [
        r.model,
        { mae: r.mae, rmse: r.rmse, mape: r.mape, r2: Number.isFinite(r.r2) ? r.r2 : null },
      ]),
    );
  },
};

/** Accuracy and macro precision, recall and F1 from one model's confusion cells. */
function multiclassMetrics(
  cells: readonly { label: string; predicted: string; n: string }[],
): Metrics {
  const classes = [...new Set(cells.flatMap((c) => [c.label, c.predicted]))].sort();
  let correct = 0;
  let total = 0;
  const per = classes.map((k) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const c of cells) {
      const n = Number(c.n);
      if (c.label === k && c.predicted === k) tp += n;
      else if (c.predicted === k) fp += n;
      else if (c.label === k) fn += n;
    }
    return classScores(tp, fp, fn);
  });
  for (const c of cells) {
    total += Number(c.n);
    if (c.label === c.predicted) correct += Number(c.n);
  }
  const mean = (f: (s: ClassScores) => number) => per.reduce((a, s) => a + f(s), 0) / per.length;
  return {
    accuracy: correct / total,
    precision_macro: mean((s) => s.precision),
    recall_macro: mean((s) => s.recall),
    f1_macro: mean((s) => s.f1),
  };
}

interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
}

/** Precision, recall and F1 of one class; 0 where undefined (sklearn's zero_division=0). */
function classScores(tp: number, fp: number, fn: number): ClassScores {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/**
 * The rows of `cur` (one target's or a batch's) that have a label: model, target, pn / pl / pv the
 * prediction (number, label or probability vector), ln / ls the label, tags. Labels join by
 * event_id, or by request_id (the latest label of each wins), whenever they arrived.
 */
export function labelledPredictions(cur: RowSet): string {
  return `
    SELECT p.model AS model, p.target AS target, p.prediction_num AS pn, p.prediction_label AS pl,
           p.prediction_vec AS pv, p.tags AS tags,
           coalesce(le.ln, lr.ln) AS ln, coalesce(le.ls, lr.ls) AS ls
    FROM (${cur.sql}) AS p
    ${latestLabelJoins(cur.sql)}
    WHERE (ln IS NOT NULL OR ls IS NOT NULL)
      AND (pn IS NOT NULL OR pl IS NOT NULL OR length(pv) > 0)
    SETTINGS join_use_nulls = 1`;
}

/** A labelled row's class as text. */
export const LABEL_CLASS = 'assumeNotNull(coalesce(ls, toString(ln)))';

/**
 * A classifier row's predicted class as text: its label or number, else the class of its highest
 * probability (the first on ties, as numpy's argmax) when its vector has one entry per class of
 * {vec_classes} (labelledTask's params); else NULL.
 */
export const PREDICTED_CLASS = `coalesce(pl, toString(pn),
  if(length(pv) > 0 AND length(pv) = length({vec_classes:Array(String)}),
     arrayElement({vec_classes:Array(String)}, indexOf(pv, arrayMax(pv))), NULL))`;

/** Most classes read from labels to name the entries of probability vectors. */
const MAX_VECTOR_CLASSES = 1000;

export interface LabelledTask {
  task: Task;
  /** Labelled rows. */
  n: number;
  /** The query's params plus vec_classes, which PREDICTED_CLASS reads. */
  params: QueryParams;
  /**
   * For rows whose prediction is a probability vector: the class of each entry (the labels
   * sorted, as CBPE reads the vectors), or why the vectors cannot be read.
   */
  vectors?: { rows: number; classes: string[]; reason?: string };
}

/**
 * The task of the labelled rows (see detectPerformance), how many there are, and the classes of
 * their probability vectors: the window's labels sorted when they name one class per entry, else
 * every label the model ever got (a window may lack a rare class).
 */
export async function labelledTask(
  store: Store,
  settings: ModelSettings,
  scope: RowScope,
  labelled: string,
  params: QueryParams,
): Promise<LabelledTask> {
  const target = targetKey(scope);
  return (await labelledTasks(store, [{ target, settings }], labelled, params)).get(target)!;
}

/** labelledTask of each target whose rows `labelled` holds, in one statement grouped by target. */
async function labelledTasks(
  store: Store,
  models: readonly { target: string; settings: ModelSettings }[],
  labelled: string,
  params: QueryParams,
  labels = true,
): Promise<Map<string, LabelledTask>> {
  type Shape = Record<'n' | 'text' | 'binary' | 'vectors' | 'lengths' | 'k', string> & {
    target: string;
    model: string;
    classes: string[];
  };
  // `labels` false: none of the models has a label, so no row is labelled.
  const shapes = !labels
    ? []
    : await store.query<Shape>(
        `SELECT target, any(model) AS model, count() AS n, countIf(ls IS NOT NULL OR pl IS NOT NULL) AS text,
            countIf(ln IN (0, 1)) AS binary, countIf(length(pv) > 0) AS vectors,
            uniqExactIf(length(pv), length(pv) > 0) AS lengths, maxIf(length(pv), length(pv) > 0) AS k,
            groupUniqArrayIf(${MAX_VECTOR_CLASSES + 1})(${LABEL_CLASS}, length(pv) > 0) AS classes
     FROM (${labelled}) GROUP BY target`,
        params,
      );
  const byTarget = new Map(shapes.map((s) => [s.target, s]));
  const tasks = new Map<string, LabelledTask>();
  for (const { target, settings } of models) {
    const shape = byTarget.get(target);
    const n = Number(shape?.n ?? 0);
    const vectorRows = Number(shape?.vectors ?? 0);
    const task: Task =
      settings.task === 'regression'
        ? 'regression'
        : Number(shape?.text ?? 0) > 0 || vectorRows > 0
          ? 'multiclass'
          : Number(shape?.binary ?? 0) === n && n > 0
            ? 'binary'
            : settings.task === 'classification'
              ? 'multiclass'
              : 'regression';
    if (vectorRows === 0 || task === 'regression') {
      tasks.set(target, { task, n, params: { ...params, vec_classes: [] } });
      continue;
    }
    const vectors = await vectorClasses(store, shape!.model, {
      rows: vectorRows,
      lengths: Number(shape!.lengths),
      k: Number(shape!.k),
      classes: shape!.classes,
    });
    tasks.set(target, { task, n, params: { ...params, vec_classes: vectors.classes }, vectors });
  }
  return tasks;
}

async function vectorClasses(
  store: Store,
  model: string,
  shape: { rows: number; lengths: number; k: number; classes: string[] },
): Promise<NonNullable<LabelledTask['vectors']>> {
  const none = (reason: string) => ({ rows: shape.rows, classes: [], reason });
  if (shape.lengths !== 1) return none('the probability vectors differ in length');
  let classes = shape.classes;
  if (classes.length < shape.k) {
    const [all] = (await store.query<{ classes: string[] }>(
      `SELECT groupUniqArray(${MAX_VECTOR_CLASSES + 1})(coalesce(label_str, toString(label_num))) AS classes
       FROM ${Tables.labels} WHERE model = {model:String}`,
      { model },
    )) as [{ classes: string[] }];
    classes = all.classes;
  }
  if (classes.length !== shape.k) {
    return none(
      `the probability vectors have ${shape.k} entries but the labels name ${classes.length} classes`,
    );
  }
  return { rows: shape.rows, classes: classOrder(classes) };
}
