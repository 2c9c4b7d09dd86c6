import { defineConfig } from "vitest/config";

// The end-to-end suite alone: slow (image build, k3s start), and only where Docker runs.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 15 * 60_000,
    hookTimeout: 15 * 60_000,
  },
});
