/** The theme switch: follow the OS, or always light, or always dark (graph/theme.ts applies it). */
import { useState } from 'react';
import { applyThemeChoice, readThemeChoice, type ThemeChoice } from '../graph/theme.ts';

const choices: { value: ThemeChoice; label: string }[] = [
  { value: 'os', label: 'Theme: as the OS' },
  { value: 'light', label: 'Theme: light' },
  { value: 'dark', label: 'Theme: dark' },
];

export function ThemeSwitch() {
  const [choice, setChoice] = useState<ThemeChoice>(readThemeChoice);
  return (
    <select
      className="button theme-switch"
      data-testid="theme-switch"
      aria-label="Colour theme"
      title="Light or dark, or follow the operating system's setting"
      value={choice}
      onChange={(event) => {
        const next = event.currentTarget.value as ThemeChoice;
        applyThemeChoice(next);
        setChoice(next);
      }}
    >
      {choices.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </select>
  );
}
