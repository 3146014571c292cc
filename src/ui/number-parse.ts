// Strict reading of what a person types into a number field. `Number()` reads "0x10" as 16, "" as
// 0 and "1e309" as Infinity, and `parseFloat("0x10")` is 0: a field must refuse those instead.

/** What a number field accepts. */
export interface NumberRule {
  min: number;
  max: number;
  /** Whole numbers only. */
  integer?: boolean;
  /** `min` itself is refused (a learning rate must be above 0). */
  aboveMin?: boolean;
}

// Plain decimal notation, optionally with an exponent: no hex, binary, octal, "Infinity", commas or spaces.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The number `text` spells in plain decimal notation within `rule`, or null when the field refuses it. */
export function parseStrictNumber(text: string, rule: NumberRule): number | null {
  const t = text.trim();
  if (!DECIMAL.test(t)) return null;
  // "-0" is a negative number to the person who typed it, wherever negatives are refused.
  if (t.startsWith('-') && rule.min >= 0) return null;
  const value = Number(t);
  if (!Number.isFinite(value)) return null;
  if (rule.integer && !Number.isInteger(value)) return null;
  if (value < rule.min || value > rule.max || (rule.aboveMin && value === rule.min)) return null;
  return value;
}

/** What a field accepts, as the one sentence it shows when it refuses a value. */
export function describeRule(rule: NumberRule): string {
  const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 10 });
  const kind = rule.integer ? 'a whole number' : 'a number';
  const range = rule.aboveMin
    ? `above ${n(rule.min)} and at most ${n(rule.max)}`
    : `from ${n(rule.min)} to ${n(rule.max)}`;
  const digits = rule.integer ? 'digits only' : 'plain decimals such as 0.01';
  return `Enter ${kind} ${range}, in ${digits}.`;
}

/** The comma-separated numbers of `text`, each within `rule`, or null when there are none or any is refused. */
export function parseNumberList(text: string, rule: NumberRule): number[] | null {
  const values = text.split(',').map((part) => parseStrictNumber(part, rule));
  return values.every((v) => v !== null) ? values : null;
}
