// The valid-word rate: the share of generated words that a reader would recognise, the one text
// figure that tells "reads like words" from "letters in the right proportions".

// Word lists are full of one- and two-letter entries (initials, abbreviations: "e", "th", "te")
// that untrained models emit all the time; only these short words count.
const SHORT_WORDS = new Set(
  'a i o am an as at ay be by do eh go ha he hi ho if in is it lo me my no of oh on or ox so to up us we ye'.split(
    ' ',
  ),
);

/** The lower-cased words of `text`: runs of letters, with inner apostrophes kept ("don't"). */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/\p{L}+(?:'\p{L}+)*/gu) ?? [];
}

/** The share of `text`'s words found in `known` (lower-cased; words under 3 letters only if common); NaN when `text` has no word. */
export function validWordRate(text: string, known: ReadonlySet<string>): number {
  const words = wordsOf(text);
  if (words.length === 0) return NaN;
  const valid = words.filter((w) => known.has(w) && (w.length > 2 || SHORT_WORDS.has(w)));
  return valid.length / words.length;
}
