// The last move of a product-side step: one button that applies what the
// administrator chose, its progress and error, and the sentence the core
// recorded in the connection once it is done.
import type { Profile } from "../bindings/Profile";
import { ErrorPanel } from "../components/ErrorPanel";
import { SignInProgress } from "../components/SignInProgress";
import type { useAdminCall } from "./useAdminCall";

type Props = {
  call: ReturnType<typeof useAdminCall<Profile>>;
  chosen: boolean;
  onApply: () => void;
  label: string;
  running: string;
  chooseFirst: string;
  done: string;
  testId: string;
  doneTestId: string;
};

export function ApplyChoice({ call, chosen, onApply, label, running, chooseFirst, done, testId, doneTestId }: Props) {
  const { state, events } = call;
  return (
    <>
      {state.status !== "done" && (
        <div className="actions">
          <button type="button" className="button primary" data-testid={testId} disabled={!chosen || state.status === "running"} onClick={onApply}>
            {state.status === "running" ? running : label}
          </button>
          {!chosen && <span className="muted">{chooseFirst}</span>}
        </div>
      )}
      {state.status === "running" && events.length > 0 && <SignInProgress events={events} waiting="" />}
      {state.status === "failed" && <ErrorPanel problem={state.problem} />}
      {state.status === "done" && (
        <p className="ok" role="status" data-testid={doneTestId}>
          <span className="dot ok" aria-hidden="true" />
          {state.value.setup?.product_side ?? done}
        </p>
      )}
    </>
  );
}
