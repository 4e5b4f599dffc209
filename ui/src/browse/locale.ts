// The locale numbers and dates are shown in, and the Intl formatters built
// for it, shared by the cells and the row counts.

/** A million has a group separator in every locale that groups at all
 *  (Spanish and Polish leave 4-digit numbers ungrouped on purpose). */
const GROUPED = 1_000_000;

function groups(locale: string): boolean {
  try {
    return new Intl.NumberFormat(locale).formatToParts(GROUPED).some((part) => part.type === "group");
  } catch {
    // Not a locale tag Intl knows ("c", "POSIX").
    return false;
  }
}

/**
 * The user's locale, unless numbers there are not grouped: WebKitGTK in a
 * C or POSIX environment (Xvfb, containers) reports a locale like
 * en-US-POSIX, where 2500 would read "2500". en-US is then the default.
 */
export function pickLocale(preferred: string | undefined): string {
  return preferred && groups(preferred) ? preferred : "en-US";
}

let chosen: string | undefined;

export function displayLocale(): string {
  return (chosen ??= pickLocale(typeof navigator === "undefined" ? undefined : navigator.language));
}

const intl = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

export function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let format = intl.get(key);
  if (!format) intl.set(key, (format = new Intl.NumberFormat(locale, options)));
  return format as Intl.NumberFormat;
}

export function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let format = intl.get(key);
  if (!format) intl.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format as Intl.DateTimeFormat;
}
