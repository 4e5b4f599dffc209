// The draft connection shared by every wizard step, and saving it.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { saveProfile } from "../ipc";
import { type Draft, EMPTY_DRAFT, toProfile } from "./draft";

interface DraftApi {
  draft: Draft;
  update: (patch: Partial<Draft>) => void;
  replace: (draft: Draft) => void;
  /** Saves the profile (and the secret, once, to the keychain). */
  save: (patch?: Partial<Draft>) => Promise<Draft>;
}

const DraftContext = createContext<DraftApi | null>(null);

export function DraftProvider({ children }: { children: ReactNode }) {
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const update = useCallback((patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch })), []);
  const save = useCallback(
    async (patch: Partial<Draft> = {}) => {
      const next = { ...draft, ...patch };
      await saveProfile(toProfile(next), next.secret === "" ? null : next.secret);
      const saved = { ...next, secret: "", saved: true };
      setDraft(saved);
      return saved;
    },
    [draft],
  );
  const api = useMemo(() => ({ draft, update, replace: setDraft, save }), [draft, update, save]);
  return <DraftContext.Provider value={api}>{children}</DraftContext.Provider>;
}

export function useDraft(): DraftApi {
  const api = useContext(DraftContext);
  if (!api) throw new Error("useDraft outside DraftProvider");
  return api;
}
