import { describe, expect, it } from "vitest";
import { formatCount, rowCountText } from "./count";
import { pickLocale } from "./locale";

const en = (total: number | null, loaded: number, atLeast: number | null = null) => rowCountText({ total, atLeast, loaded }, "en-US");

describe("row counts", () => {
  it("say the total and what is loaded, grouped", () => {
    expect(en(2500, 1000)).toBe("2,500 rows · 1,000 loaded");
  });

  it("say only the total once everything is loaded, one row in the singular", () => {
    expect(en(2500, 2500)).toBe("2,500 rows");
    expect(en(1, 1)).toBe("1 row");
    expect(en(0, 0)).toBe("0 rows");
  });

  it("say only what is loaded when the total is unknown, or how far the service counted", () => {
    expect(en(null, 1000)).toBe("1,000 loaded");
    expect(en(null, 1000, 5000)).toBe("More than 5,000 rows · 1,000 loaded");
  });

  it("group in the locale", () => {
    expect(rowCountText({ total: 2500, atLeast: null, loaded: 1000 }, "de-DE")).toBe("2.500 rows · 1.000 loaded");
    expect(formatCount(100000, "en-US")).toBe("100,000");
  });
});

describe("the display locale", () => {
  it("is the user's when its numbers are grouped", () => {
    expect(pickLocale("de-DE")).toBe("de-DE");
    // Spanish leaves 2500 ungrouped on purpose but groups a million.
    expect(pickLocale("es-ES")).toBe("es-ES");
  });

  it("falls back to en-US where numbers are not grouped or the tag is not a locale", () => {
    expect(pickLocale("en-US-POSIX")).toBe("en-US");
    expect(pickLocale("c")).toBe("en-US");
    expect(pickLocale(undefined)).toBe("en-US");
  });
});
