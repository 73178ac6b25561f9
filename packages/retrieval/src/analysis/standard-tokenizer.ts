import { asciiWordBreak, asciiWordSpans } from "./ascii-word-break.js";
import type { TokenSpans } from "./token-spans.js";

/**
 * Lucene's StandardTokenizer (org.apache.lucene.analysis.standard, a JFlex grammar implementing the
 * word break rules of UAX#29, "Unicode Text Segmentation"), rebuilt on ICU's UAX#29 word breaker
 * (Intl.Segmenter, granularity "word") with the adjustments that make ICU's segments Lucene's tokens:
 *
 * - Kept: ICU's word-like segments (letters, digits, kana, ideographs), and emoji sequences, which
 *   ICU marks as not word-like but Lucene emits (type <EMOJI>). Dropped: segments made only of
 *   connector punctuation ("___"), which ICU calls word-like but Lucene does not emit.
 * - Han ideographs and hiragana: one token per character, as Lucene. ICU groups them into words with
 *   its CJK dictionary.
 * - Thai, Lao, Khmer, Myanmar and the other Line_Break=SA scripts: one token per unbroken run, as
 *   Lucene (<SOUTHEAST_ASIAN>). ICU splits them into words with its dictionaries.
 * - Katakana: one token per run (WB13). ICU's dictionary may split long katakana compounds.
 * - Tokens longer than maxTokenLength (255) UTF-16 units are cut into pieces of that length, as the
 *   JFlex scanner's buffer limit does in Lucene.
 *
 * Whitespace always separates words under UAX#29 (no rule joins across it), so text is cut at
 * whitespace and each chunk is segmented alone: pure-ASCII chunks by a small scanner with the same
 * rules (ascii-word-break.ts), the rest by ICU. Known differences that remain: ICU follows the
 * Unicode version of the running Node (17 on Node 20.20) where Lucene 9 was generated from an older
 * one, so characters assigned since then may segment differently.
 */

export const DEFAULT_MAX_TOKEN_LENGTH = 255;

const segmenter = new Intl.Segmenter("en", { granularity: "word" });

const NON_ASCII = /[\u0080-\uffff]/;
const WHITESPACE = /\s/;
const CONNECTOR_ONLY = /^[\p{Pc}\u202f\p{M}\p{Cf}]+$/u;
const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]/u;
const HAN_OR_HIRAGANA = /[\p{sc=Han}\p{sc=Hiragana}]/u;
const HAN_OR_HIRAGANA_CHAR = /^[\p{sc=Han}\p{sc=Hiragana}]$/u;
const EXTENDER = /^[\p{M}\p{Cf}]$/u;
const SOUTHEAST_ASIAN =
  /^[\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}\p{sc=Tai_Le}\p{sc=New_Tai_Lue}\p{sc=Tai_Tham}\p{sc=Tai_Viet}\p{M}\p{Cf}]+$/u;
const KATAKANA = /^[\p{sc=Katakana}\u30fc\uff70\p{M}\p{Cf}]+$/u;

export interface TokenizeOptions {
  maxTokenLength?: number;
}

/** The tokens StandardTokenizer produces for `text`, in order. */
export function standardTokenize(text: string, options: TokenizeOptions = {}): string[] {
  const maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  const out: string[] = [];
  if (!NON_ASCII.test(text)) {
    asciiWordBreak(text, 0, text.length, out);
  } else {
    const n = text.length;
    let i = 0;
    while (i < n) {
      while (i < n && isSpace(text, i)) i++;
      let j = i;
      let ascii = true;
      while (j < n && !isSpace(text, j)) {
        if (text.charCodeAt(j) > 0x7f) ascii = false;
        j++;
      }
      if (j > i) {
        if (ascii) asciiWordBreak(text, i, j, out);
        else segmentWithIcu(text.slice(i, j), out);
      }
      i = j;
    }
  }
  return maxTokenLength > 0 ? splitLongTokens(out, maxTokenLength) : out;
}

/**
 * standardTokenize's tokens as spans (token-spans.ts): of `text` itself where it is all ASCII (no
 * string made per token), else of the tokens joined by spaces.
 */
export function standardTokenSpans(text: string, spans: TokenSpans, options: TokenizeOptions = {}): void {
  const maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  if (NON_ASCII.test(text)) {
    const tokens = standardTokenize(text, options);
    spans.reset(tokens.join(" "));
    let at = 0;
    for (const t of tokens) {
      spans.push(at, at + t.length);
      at += t.length + 1;
    }
    return;
  }
  spans.reset(text);
  asciiWordSpans(text, 0, text.length, spans);
  if (maxTokenLength <= 0) return;
  for (let i = 0; i < spans.count; i++) {
    if ((spans.ends[i] as number) - (spans.starts[i] as number) > maxTokenLength) {
      // Rare: cut the long tokens into pieces, as splitLongTokens does.
      const pieces: [number, number][] = [];
      for (let k = 0; k < spans.count; k++) {
        const end = spans.ends[k] as number;
        for (let s = spans.starts[k] as number; s < end; s += maxTokenLength)
          pieces.push([s, Math.min(s + maxTokenLength, end)]);
      }
      spans.reset(text);
      for (const [s, e] of pieces) spans.push(s, e);
      return;
    }
  }
}

function isSpace(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return WHITESPACE.test(text[i] as string);
}

function segmentWithIcu(chunk: string, out: string[]): void {
  // Where the previous token ended, and whether it may absorb an adjacent segment of the same run.
  let prevEnd = -1;
  let prevRun: "sea" | "katakana" | undefined;
  for (const { segment, index, isWordLike } of segmenter.segment(chunk)) {
    let run: "sea" | "katakana" | undefined;
    if (isWordLike) {
      if (CONNECTOR_ONLY.test(segment)) continue;
      if (HAN_OR_HIRAGANA.test(segment)) {
        splitIdeographs(segment, out);
        prevRun = undefined;
        continue;
      }
      run = SOUTHEAST_ASIAN.test(segment) ? "sea" : KATAKANA.test(segment) ? "katakana" : undefined;
    } else if (!EMOJI.test(segment)) {
      continue;
    }
    if (run !== undefined && run === prevRun && index === prevEnd && out.length > 0) {
      out[out.length - 1] += segment;
    } else {
      out.push(segment);
    }
    prevRun = run;
    prevEnd = index + segment.length;
  }
}

/** Han and hiragana characters become one token each; other runs in the segment stay whole. */
function splitIdeographs(segment: string, out: string[]): void {
  let run = "";
  let afterIdeograph = false;
  for (const ch of segment) {
    if (HAN_OR_HIRAGANA_CHAR.test(ch)) {
      if (run) out.push(run);
      run = "";
      out.push(ch);
      afterIdeograph = true;
    } else if (afterIdeograph && EXTENDER.test(ch)) {
      out[out.length - 1] += ch;
    } else {
      run += ch;
      afterIdeograph = false;
    }
  }
  if (run) out.push(run);
}

function splitLongTokens(tokens: string[], max: number): string[] {
  if (!tokens.some((t) => t.length > max)) return tokens;
  const out: string[] = [];
  for (const t of tokens) {
    for (let i = 0; i < t.length; i += max) out.push(t.slice(i, i + max));
  }
  return out;
}
