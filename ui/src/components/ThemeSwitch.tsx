import { useState } from "react";
import { applyTheme, loadTheme, type ThemeChoice } from "../theme";

const CHOICES: { value: ThemeChoice; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

export function ThemeSwitch() {
  const [choice, setChoice] = useState<ThemeChoice>(loadTheme);

  return (
    <div className="theme-switch" role="radiogroup" aria-label="Appearance">
      {CHOICES.map(({ value, label }) => (
        <button
          key={value}
          type="button"
          role="radio"
          data-theme-choice={value}
          aria-checked={choice === value}
          onClick={() => {
            applyTheme(value);
            setChoice(value);
          }}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
