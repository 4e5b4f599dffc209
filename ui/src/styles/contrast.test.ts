// WCAG 2.1 AA contrast of the colours text and focus rings are drawn in,
// in both themes, measured on the tokens the screens are painted with.
import { describe, expect, it } from "vitest";
import css from "./base.css?raw";

type Theme = Record<string, string>;

function tokens(selector: string): Theme {
  const start = css.indexOf(`${selector} {`);
  const body = css.slice(start, css.indexOf("}", start));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})/g)].map((m) => [m[1], m[2]]));
}

const LIGHT = tokens(":root");
const DARK = { ...LIGHT, ...tokens(':root[data-theme="dark"]') };

/** Relative luminance (WCAG 2.1, 1.4.3). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// Text is 13–15 px, so 4.5:1 (1.4.3); focus rings and control edges 3:1 (1.4.11).
const TEXT_ON = ["bg", "surface", "surface-2"];
const PAIRS: [string, string, number][] = [
  ...["text", "text-muted", "ok", "warn", "danger", "accent"].flatMap((fg) => TEXT_ON.map((bg): [string, string, number] => [fg, bg, 4.5])),
  ["accent-text", "accent", 4.5],
  ["text", "accent-soft", 4.5],
  ["warn", "warn-soft", 4.5],
  ["danger", "danger-soft", 4.5],
  ["focus", "bg", 3],
  ["focus", "surface", 3],
];

describe.each([
  ["light", LIGHT],
  ["dark", DARK],
])("the %s theme", (_, theme) => {
  it.each(PAIRS)("draws %s on %s at AA contrast", (fg, bg, least) => {
    expect(theme[fg], fg).toMatch(/^#/);
    expect(theme[bg], bg).toMatch(/^#/);
    expect(contrast(theme[fg], theme[bg])).toBeGreaterThanOrEqual(least);
  });
});

it("measures contrast as WCAG does", () => {
  expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
  expect(contrast("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
});
