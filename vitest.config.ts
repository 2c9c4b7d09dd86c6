import { defineConfig } from "vitest/config";

// Two projects: "unit" needs nothing but Node (pure code and the in-process DNSimple
// simulator); "integration" runs against one real local control plane per run, started by
// the global setup (see test/integration/global-setup.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/simulator/**/*.test.ts"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/integration/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
