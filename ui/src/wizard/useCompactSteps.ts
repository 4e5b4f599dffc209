import { useCallback, useState } from "react";

const KEY = "d365.compact-steps";

/**
 * Whether the step list shows only its numbers and ticks, giving the step
 * (Browse's table above all) the width of the names. Kept between visits,
 * like the theme.
 */
export function useCompactSteps(): [boolean, () => void] {
  const [compact, setCompact] = useState(() => localStorage.getItem(KEY) === "true");
  const toggle = useCallback(() => {
    setCompact((was) => {
      if (was) localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, "true");
      return !was;
    });
  }, []);
  return [compact, toggle];
}
