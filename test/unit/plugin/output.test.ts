// The plugin's shared formatting: ages exactly as kubectl prints them (apimachinery's
// HumanDuration table), aligned columns, sizes.
import { describe, expect, it } from "vitest";
import {
  ageOf,
  byteSize,
  fields,
  humanDuration,
  relativeTime,
  table,
} from "../../../src/plugin/output.ts";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("humanDuration", () => {
  it.each<[number, string]>([
    [-2 * S, "<invalid>"],
    [-500, "0s"],
    [-1_500, "0s"],
    [0, "0s"],
    [59 * S, "59s"],
    [119 * S, "119s"],
    [2 * M, "2m"],
    [9 * M + 30 * S, "9m30s"],
    [10 * M + 30 * S, "10m"],
    [179 * M, "179m"],
    [3 * H, "3h"],
    [7 * H + 59 * M, "7h59m"],
    [8 * H + 30 * M, "8h"],
    [47 * H, "47h"],
    [2 * D, "2d"],
    [7 * D + 23 * H, "7d23h"],
    [8 * D + 5 * H, "8d"],
    [729 * D, "729d"],
    [730 * D, "2y"],
    [3 * 365 * D + 10 * D, "3y10d"],
    [9 * 365 * D, "9y"],
  ])("%d ms is %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe("times", () => {
  const now = new Date("2026-12-01T12:00:00Z");
  it.each<[string | undefined, string]>([
    ["2026-12-01T11:55:00Z", "5m"],
    [undefined, "unknown"],
    ["not a time", "unknown"],
  ])("ageOf(%s) is %s", (time, text) => {
    expect(ageOf(time, now)).toBe(text);
  });

  it("says when a time to come is, and how long ago one passed", () => {
    expect(relativeTime("2026-12-31T12:00:00Z", now)).toBe("in 30d");
    expect(relativeTime("2026-12-01T10:00:00Z", now)).toBe("120m ago");
    expect(relativeTime("2026-12-01T07:00:00Z", now)).toBe("5h ago");
  });
});

describe("table and fields", () => {
  it("pads every column but the last to its widest cell, three spaces apart", () => {
    expect(
      table([
        ["TYPE", "REASON", "MESSAGE"],
        ["Normal", "Issued", "a long message"],
        ["Warning", "X", ""],
      ]),
    ).toEqual(["TYPE      REASON   MESSAGE", "Normal    Issued   a long message", "Warning   X"]);
  });

  it("lines values up after their labels", () => {
    expect(
      fields(
        [
          ["Name", "www"],
          ["Namespace", "web"],
        ],
        "  ",
      ),
    ).toEqual(["  Name:       www", "  Namespace:  web"]);
  });

  it.each<[number, string]>([
    [812, "812 B"],
    [3277, "3.2 KiB"],
    [5 * 1024 * 1024, "5.0 MiB"],
  ])("%d bytes is %s", (bytes, text) => {
    expect(byteSize(bytes)).toBe(text);
  });
});
