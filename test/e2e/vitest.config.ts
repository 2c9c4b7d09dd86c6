import { defineConfig } from "vitest/config";

// The end-to-end suite alone (run.ts picks the file): slow (image build, a node or k3s, a burst
// of a thousand certificates), one file, its steps in order.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
    fileParallelism: false,
  },
});
