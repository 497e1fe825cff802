/** Regression: how far apart two models' outputs are. */
export interface NumericAgreement {
  compared: number;
  mae: number | null;
  max_abs_diff: number | null;
}

/** Classification: how often two models give the same label. */
export interface LabelAgreement {
  compared: number;
  agreement: number | null;
}

/**
 * Exact agreement between two sequences of outputs, accumulated batch by batch: a pair where
 * either side is missing (null, or not a finite number) is not compared.
 */
export class Agreement {
  private compared = 0;
  private sumAbs = 0;
  private maxAbs = 0;
  private same = 0;

  addNumber(a: number | null, b: number | null): void {
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) return;
    const d = Math.abs(a - b);
    this.compared++;
    this.sumAbs += d;
    if (d > this.maxAbs) this.maxAbs = d;
  }

  addLabel(a: string | null, b: string | null): void {
    if (a === null || b === null) return;
    this.compared++;
    if (a === b) this.same++;
  }

  numeric(): NumericAgreement {
    const n = this.compared;
    return { compared: n, mae: n ? this.sumAbs / n : null, max_abs_diff: n ? this.maxAbs : null };
  }

  labels(): LabelAgreement {
    const n = this.compared;
    return { compared: n, agreement: n ? this.same / n : null };
  }
}
