// The project's root folder, whatever the working directory: the Docker build context, and where
// the Dockerfile, package.json, node_modules/node and the .cache folder are.
import { join } from "node:path";

export const projectRoot = join(import.meta.dirname, "..", "..", "..");
