import type { SignInEvent } from "../bindings/SignInEvent";
import { CopyButton } from "./CopyButton";

const STAGES: Record<SignInEvent["stage"], string> = {
  Listening: "Waiting for Microsoft to send you back to D365 Connect…",
  BrowserOpened: "Your browser is open at the Microsoft sign-in page. Sign in there.",
  BrowserUnavailable: "Your browser could not be opened. Copy the sign-in link below and open it yourself.",
  CodeReceived: "Microsoft sent you back. Getting your token…",
  Done: "Signed in.",
};

/** A browser sign-in's stages as they happen, and the link to copy when no
 *  browser opened. `waiting` is shown until the first stage arrives. */
export function SignInProgress({ events, waiting }: { events: SignInEvent[]; waiting: string }) {
  const link = events.find((e) => e.url)?.url;
  return (
    <>
      <ol className="progress-list">
        {events.length === 0 && <li>{waiting}</li>}
        {events.map((e, i) => (
          <li key={`${e.stage}-${i}`}>{STAGES[e.stage]}</li>
        ))}
      </ol>
      {link && (
        <p className="sign-in-link">
          <code>{link}</code> <CopyButton value={link} label="sign-in link" />
        </p>
      )}
    </>
  );
}
