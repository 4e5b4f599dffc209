// The words and tone of "Secret expires in 10 days". Whether a secret is
// fine, expiring soon or expired is the core's rule (secret_expiry.rs); the
// UI only says it.
import type { ExpiryState } from "../bindings/ExpiryState";
import type { SecretExpiry } from "../bindings/SecretExpiry";

export type ExpiryTone = "fine" | "soon" | "expired";

const TONES: Record<ExpiryState, ExpiryTone> = { Fine: "fine", ExpiringSoon: "soon", Expired: "expired" };

/** "1 June 2027" for "2027-06-01", in the person's own way of writing dates. */
export function expiryDate(isoDate: string): string {
  const [year, month, day] = isoDate.split("-").map(Number);
  // A calendar date, not a moment: written in UTC both ways, so June 1 is
  // never shown as May 31 west of Greenwich.
  return new Date(Date.UTC(year, month - 1, day)).toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

function inDays(days: number): string {
  if (days === 0) return "Secret expires today";
  if (days === 1) return "Secret expires tomorrow";
  if (days === -1) return "Secret expired yesterday";
  if (days < 0) return `Secret expired ${(-days).toLocaleString()} days ago`;
  return `Secret expires in ${days.toLocaleString()} days`;
}

/** The line the start page, the token panel and the Credentials step show. */
export function expiryLine(expiry: SecretExpiry): { text: string; tone: ExpiryTone } {
  return { text: `${inDays(expiry.days_left)} (${expiryDate(expiry.expires_on)})`, tone: TONES[expiry.state] };
}
