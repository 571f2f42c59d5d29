// The demo data's derivable facts (app/src/backend/seed/), for the browser tests that
// need what no page shows in full: the log-ins, and account numbers (the pages only
// show them masked, "6010 **** **** 0015"). Names and balances are read from the pages.

/** Every demo customer's password (`app::backend::seed::DEMO_PASSWORD`). */
export const DEMO_PASSWORD = 'village-post-demo-2026';

/** The product families in an account number ("60" + family + customer + sequence). */
export const FAMILY = Object.freeze({ demandI: 10, demandSmall: 11, time: 20, installment: 30, notice: 40, loan: 60 });

/** `prefix` with its Luhn check digit appended (as `types::card::with_luhn_check_digit`). */
export function withLuhnCheckDigit(prefix) {
  const digits = [...prefix].map(Number);
  let sum = 0;
  digits.reverse().forEach((d, i) => {
    // The check digit will sit at position 0, so positions 0, 2, … here are doubled.
    if (i % 2 === 0) {
      const twice = d * 2;
      sum += twice > 9 ? twice - 9 : twice;
    } else {
      sum += d;
    }
  });
  return `${prefix}${(10 - (sum % 10)) % 10}`;
}

/** Whether `number` passes the Luhn check. */
export function luhnValid(number) {
  return /^\d+$/.test(number) && withLuhnCheckDigit(number.slice(0, -1)) === number;
}

/**
 * The 19-digit account number of demo customer `customer` (1-based) in `family`,
 * the `seq`-th of its kind (seed::plan::account_no).
 */
export function demoAccountNo(family, customer, seq = 1) {
  const pad = (n, width) => String(n).padStart(width, '0');
  return withLuhnCheckDigit(`60${pad(family, 2)}${pad(customer, 9)}${pad(seq, 5)}`);
}

/** "6010 **** **** 0015": how the pages show a number (types::account::mask_number). */
export function maskNumber(number) {
  const digits = number.replace(/\s+/g, '');
  if (digits.length <= 8) return `**** ${digits.slice(-4)}`;
  return `${digits.slice(0, 4)} **** **** ${digits.slice(-4)}`;
}

/**
 * Money as the pages show it ("¥1,234.56", "-¥35.50", "+¥1,200.00") in fen, or
 * null when `text` holds no amount (e.g. "****" with amounts hidden).
 */
export function fenOf(text) {
  const match = /([+-])?\s*¥\s*([\d,]+)\.(\d{2})/.exec(text ?? '');
  if (!match) return null;
  const fen = Number(match[2].replace(/,/g, '')) * 100 + Number(match[3]);
  return match[1] === '-' ? -fen : fen;
}
