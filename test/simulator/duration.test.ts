import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/simulator/duration.ts";
import { InvalidInputError } from "../../src/simulator/errors.ts";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["3s", 3_000],
    ["1.5s", 1_500],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["90d", 7_776_000_000],
    ["0", 0],
    [" 10s ", 10_000],
  ])("%s is %d ms", (text, milliseconds) => {
    expect(parseDuration(text)).toBe(milliseconds);
  });

  it.each(["", "10", "3 s", "-1s", "1w", "s", "1h30m", "abc"])("refuses %j", (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidInputError);
  });
});
