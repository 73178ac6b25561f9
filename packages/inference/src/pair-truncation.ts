/**
 * Hugging Face's LongestFirst pair truncation, as current tokenizers implement it
 * (tokenizers/src/utils/truncation.rs, `truncate_encodings`, no stride) and as transformers and
 * sentence-transformers' CrossEncoder therefore cut (query, passage) pairs: with a budget of maxLength
 * minus the pair's special tokens, a shorter segment that fits keeps all its tokens and the longer one
 * gets the rest; when both are too long the shorter gets floor(budget / 2) and the longer the remaining
 * ceil(budget / 2) (equal lengths: the first gets the floor).
 *
 * Hand-written because the npm `tokenizers` 0.23.2 Node binding carries a different rule: when both halves
 * are long and the budget is odd, it can give the extra token to the shorter half (e.g. both beyond
 * maxLength), so its pair encodings differ from Hugging Face's (fixtures/pair-truncation.json).
 */

/** How many tokens each segment keeps (Hugging Face LongestFirst, no stride). */
export function longestFirstLengths(n1: number, n2: number, budget: number): [number, number] {
  if (n1 + n2 <= budget) return [n1, n2];
  const swap = n1 > n2;
  let short = swap ? n2 : n1;
  let long = swap ? n1 : n2;
  long = short > budget ? short : Math.max(short, budget - short);
  if (short + long > budget) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  }
  return swap ? [long, short] : [short, long];
}
