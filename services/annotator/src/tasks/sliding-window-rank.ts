/**
 * Listwise ranking of more passages than fit in one prompt, by sliding windows from the bottom of the
 * list to the top, as RankGPT does (Sun et al., 2023, "Is ChatGPT Good at Search? Investigating Large
 * Language Models as Re-Ranking Agents", EMNLP, §3.2): a window of `size` passages is ranked, the window
 * moves `step` = size/2 towards the top and is ranked again, so the best passages bubble up. With a
 * ranker that orders every window consistently, one pass puts the best `step` passages of the list in
 * its first `step` places, in order (a passage among them is in the top `step` of every window it
 * meets, which is the part the next window overlaps). Passes are repeated below the places already
 * fixed until the first `keep` are: the global top `keep`, not a per-window top.
 */

export type WindowRanking = { ok: true; order: number[] } | { ok: false; error: string };

/**
 * Ranks one window: 0-based indexes into `window`, best first. Indexes left out keep their relative
 * order after the ranked ones (RankGPT's rule for incomplete rankings).
 */
export type WindowRanker<T> = (window: T[]) => Promise<WindowRanking>;

export type SlidingRankResult<T> = { ok: true; ranked: T[]; windows: number } | { ok: false; error: string };

export async function slidingWindowTopK<T>(
  items: readonly T[],
  keep: number,
  rankWindow: WindowRanker<T>,
  options: { size?: number; step?: number } = {},
): Promise<SlidingRankResult<T>> {
  const size = Math.max(2, options.size ?? 16);
  const step = Math.max(1, Math.min(options.step ?? Math.floor(size / 2), size - 1));
  const order = [...items];
  const target = Math.min(keep, order.length);
  let windows = 0;
  for (let fixed = 0; fixed < target; fixed += step) {
    for (let end = order.length; ; end -= step) {
      const start = Math.max(fixed, end - size);
      if (end - start >= 2) {
        const window = order.slice(start, end);
        const ranking = await rankWindow(window);
        windows++;
        if (!ranking.ok) return ranking;
        const picked = new Set(ranking.order);
        const rest = window.map((_, i) => i).filter((i) => !picked.has(i));
        order.splice(start, window.length, ...[...ranking.order, ...rest].map((i) => window[i]!));
      }
      if (start === fixed) break;
    }
    // a single pass over a range no longer than a window orders it completely
    if (order.length - fixed <= size) break;
  }
  return { ok: true, ranked: order, windows };
}
