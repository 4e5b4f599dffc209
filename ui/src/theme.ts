// Light and dark come entirely from CSS variables; this only decides which
// set applies by putting data-theme on <html>. "system" (the default)
// follows the OS, also when it changes while the app is open.
export type ThemeChoice = "system" | "light" | "dark";

const KEY = "d365.theme";
const darkQuery = () => window.matchMedia?.("(prefers-color-scheme: dark)");

let following: MediaQueryList | undefined;
const followSystem = () => {
  document.documentElement.dataset.theme = following?.matches ? "dark" : "light";
};

export function loadTheme(): ThemeChoice {
  const saved = localStorage.getItem(KEY);
  return saved === "light" || saved === "dark" ? saved : "system";
}

export function applyTheme(choice: ThemeChoice): void {
  following?.removeEventListener("change", followSystem);
  following = undefined;
  if (choice === "system") {
    localStorage.removeItem(KEY);
    following = darkQuery();
    following?.addEventListener("change", followSystem);
    followSystem();
  } else {
    localStorage.setItem(KEY, choice);
    document.documentElement.dataset.theme = choice;
  }
}
