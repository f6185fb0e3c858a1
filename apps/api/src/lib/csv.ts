// Every CSV the api writes goes through here: a cell a spreadsheet would read as a formula
// (starting with = + - @, a tab or a carriage return, the OWASP "CSV injection" rule) is prefixed
// with a single quote, so =HYPERLINK(...) from a roster name is shown as text, never evaluated.
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/;

/** The cell as a spreadsheet will show it, never as a formula. */
export function neutralizeCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** CSV text of `rows` with every string cell neutralised (numbers stay numbers). */
export function toCsv(rows: unknown[][]): string {
  return stringify(rows, { cast: { string: (v) => neutralizeCell(v) } });
}
