// @peculiar/x509, ready to use: it needs the Reflect metadata API loaded before it and a
// WebCrypto implementation (Node's). Import x509 from here, never from the package.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto);

export { x509 };
