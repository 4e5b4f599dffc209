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

/** `initial` lets a test start from a draft part-way through the wizard. */
export function DraftProvider({ children, initial = EMPTY_DRAFT }: { children: ReactNode; initial?: Draft }) {
  const [draft, setDraft] = useState<Draft>(initial);
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
