const f = Math.fround;
const SEPARATION = f(1e-4);
const STEP = f(1e-6);

/**
 * Anserini's score writing (ScoreTiesAdjusterReranker, the last step of every SearchCollection run):
 * each float score is rounded to 4 decimals (Math.round in double, then back to float), and within a
 * run of scores less than 1e-4 apart the i-th tied document (i = 1, 2, ...) is lowered by i · 1e-6, so
 * that trec_eval, which re-sorts by score, keeps the order the hits came in. Float arithmetic as Java's:
 * every subtraction and product of floats rounds to float (Float32Array stores round). In place.
 */
export function adjustTiedScores(scores: Float32Array): Float32Array {
  let dup = 0;
  for (let i = 0; i < scores.length; i++) {
    scores[i] = Math.round((scores[i] as number) * 1e4) / 1e4;
    if (i === 0 || f((scores[i - 1] as number) - (scores[i] as number)) > SEPARATION) {
      dup = 0;
    } else {
      dup++;
      scores[i] = (scores[i] as number) - f(STEP * dup);
    }
  }
  return scores;
}
