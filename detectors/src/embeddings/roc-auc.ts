/** ROC AUC of scores for labels 1 (positive) / 0, ties counted half (scikit-learn's roc_auc_score). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => scores[a]! - scores[b]!,
  );
  let positives = 0;
  let negatives = 0;
  let area = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    let pos = 0;
    let neg = 0;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) {
      if (labels[order[j]!] === 1) pos++;
      else neg++;
      j++;
    }
    area += pos * (negatives + neg / 2);
    positives += pos;
    negatives += neg;
    i = j;
  }
  return positives === 0 || negatives === 0 ? null : area / (positives * negatives);
}
