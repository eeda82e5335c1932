/**
 * Money on screen. Amounts are integer cents (DESIGN.md §3) and stay integers here: formatting
 * splits dollars and cents with BigInt division and parsing reads the digits of the text, so no
 * float ever touches an amount (0.1 + 0.2 style drift cannot reach a price or a deposit).
 */

/** Cents as a number, a bigint, or decimal text (the audit reports sums as text). */
export type CentsInput = number | bigint | string;

function toBigInt(cents: CentsInput): bigint {
  if (typeof cents === 'bigint') return cents;
  if (typeof cents === 'number') {
    if (!Number.isSafeInteger(cents)) throw new RangeError(`not a whole number of cents: ${cents}`);
    return BigInt(cents);
  }
  if (!/^-?\d+$/.test(cents)) throw new RangeError(`not a whole number of cents: ${cents}`);
  return BigInt(cents);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 123456 → "$1,234.56"; −5 → "−$0.05". */
export function formatCents(cents: CentsInput): string {
  const value = toBigInt(cents);
  const negative = value < 0n;
  const absolute = negative ? -value : value;
  const dollars = groupThousands((absolute / 100n).toString());
  const rest = (absolute % 100n).toString().padStart(2, '0');
  return `${negative ? '−' : ''}$${dollars}.${rest}`;
}

/** A signed amount for ledgers: "+$10.00" or "−$10.00". */
export function formatSignedCents(cents: CentsInput, direction: 'CREDIT' | 'DEBIT'): string {
  const text = formatCents(cents).replace('−', '');
  return `${direction === 'CREDIT' ? '+' : '−'}${text}`;
}

export type ParsedCents = { readonly ok: true; readonly cents: number } | { readonly ok: false; readonly reason: string };

/** The largest amount a form accepts: the gateway's bound per money movement ($1,000,000). */
const maxFormCents = 100_000_000;

/**
 * "12.34", "12", "$1,234.5" → cents. More than two decimals, signs, exponents and other text are
 * refused with a sentence, because guessing what a user meant by "1.005" would move wrong money.
 */
export function parseCents(text: string): ParsedCents {
  const cleaned = text.trim().replace(/^\$/, '').replace(/,/g, '');
  if (cleaned === '') return { ok: false, reason: 'Enter an amount.' };
  const match = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(cleaned) ?? /^()\.(\d{1,2})$/.exec(cleaned);
  if (match === null) {
    if (/^\d*\.\d{3,}$/.test(cleaned)) return { ok: false, reason: 'Use at most two decimals (cents).' };
    return { ok: false, reason: 'Enter an amount like 12.34.' };
  }
  const whole = match[1] === undefined || match[1] === '' ? 0 : Number.parseInt(match[1], 10);
  const fraction = Number.parseInt((match[2] ?? '').padEnd(2, '0'), 10);
  const cents = whole * 100 + fraction;
  if (cents > maxFormCents) return { ok: false, reason: `The most you can move at once is ${formatCents(maxFormCents)}.` };
  return { ok: true, cents };
}

/** Cents → the text a price field starts with ("12.50"), the inverse of parseCents. */
export function centsToInput(cents: number): string {
  return formatCents(cents).replace(/[$,−]/g, '');
}
