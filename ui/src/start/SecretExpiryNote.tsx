import { useEffect } from "react";
import { useCall } from "../connection/useCall";
import { secretExpiry } from "../ipc";
import { expiryLine } from "./secretExpiry";

interface Props {
  expiresOn: string;
  /** Offered once the secret is expiring soon or has expired. */
  onReplace?: () => void;
}

/** "Secret expires in 10 days (1 June 2027)", calm while there is time,
 * a warning from 30 days before, an error once expired, then with
 * "Replace the secret" where the caller offers it. Nothing when the
 * backend cannot say. */
export function SecretExpiryNote({ expiresOn, onReplace }: Props) {
  const { state, run } = useCall(secretExpiry);
  useEffect(() => {
    void run({ key_id: null, hint: null, expires_on: expiresOn });
  }, [run, expiresOn]);
  if (state.status !== "done") return null;
  const { text, tone } = expiryLine(state.value);
  return (
    <div className="secret-expiry-row">
      <p className={`secret-expiry ${tone}`} data-testid="secret-expiry" data-state={state.value.state}>
        <span className="dot" aria-hidden="true" />
        {text}
      </p>
      {onReplace && state.value.state !== "Fine" && (
        <button type="button" className="button small" data-testid="replace-secret-offer" onClick={onReplace}>
          Replace the secret
        </button>
      )}
    </div>
  );
}
