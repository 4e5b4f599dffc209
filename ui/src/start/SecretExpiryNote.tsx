import { useEffect } from "react";
import { useCall } from "../connection/useCall";
import { secretExpiry } from "../ipc";
import { expiryLine } from "./secretExpiry";

/** "Secret expires in 10 days (1 June 2027)", calm while there is time,
 * a warning from 30 days before, an error once expired. Nothing when the
 * backend cannot say. */
export function SecretExpiryNote({ expiresOn }: { expiresOn: string }) {
  const { state, run } = useCall(secretExpiry);
  useEffect(() => {
    void run({ key_id: null, hint: null, expires_on: expiresOn });
  }, [run, expiresOn]);
  if (state.status !== "done") return null;
  const { text, tone } = expiryLine(state.value);
  return (
    <p className={`secret-expiry ${tone}`} data-testid="secret-expiry" data-state={state.value.state}>
      <span className="dot" aria-hidden="true" />
      {text}
    </p>
  );
}
