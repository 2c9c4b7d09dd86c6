// Light checks of DNSimple's answers against the shapes in types.ts: every field the
// operator reads must be there with the right JSON type, so a surprise shows up as one
// clear MalformedAnswerError here rather than as a crash somewhere later. Messages name
// the field and the expected type, never the value (a value may be a private key).
import {
  CERTIFICATE_STATES,
  type Certificate,
  type CertificateBundle,
  type CertificatePage,
  type CertificatePurchase,
  type CertificateRenewal,
  type Domain,
  type DomainPage,
  type Pagination,
  RENEWAL_STATES,
  type Whoami,
  type WhoamiAccount,
  type WhoamiUser,
} from "./types.ts";

export class MalformedAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedAnswerError";
  }
}

/** `{"message": "...", "errors": {...}}`, both optional; anything else reads as neither. */
export interface ErrorAnswer {
  message: string | undefined;
  errors: Record<string, string[]>;
}

export function readErrorAnswer(body: unknown): ErrorAnswer {
  const fields = isObject(body) ? body : {};
  const message = typeof fields.message === "string" ? fields.message : undefined;
  const errors: Record<string, string[]> = {};
  if (isObject(fields.errors)) {
    for (const [field, problems] of Object.entries(fields.errors)) {
      if (Array.isArray(problems)) errors[field] = problems.map(String);
      else if (typeof problems === "string") errors[field] = [problems];
    }
  }
  return { message, errors };
}

export function readWhoami(body: unknown): Whoami {
  const data = new Fields(dataOf(body), "data");
  return {
    user: data.nullable("user", readWhoamiUser),
    account: data.nullable("account", readWhoamiAccount),
  };
}

export function readCertificateAnswer(body: unknown): Certificate {
  return readCertificate(dataOf(body), "data");
}

export function readCertificatePage(body: unknown): CertificatePage {
  return readPage(body, readCertificate);
}

export function readDomainPage(body: unknown): DomainPage {
  return readPage(body, readDomain);
}

export function readCertificatePurchase(body: unknown): CertificatePurchase {
  const data = new Fields(dataOf(body), "data");
  return {
    id: data.integer("id"),
    certificate_id: data.integer("certificate_id"),
    state: data.oneOf("state", CERTIFICATE_STATES),
    auto_renew: data.boolean("auto_renew"),
    created_at: data.string("created_at"),
    updated_at: data.string("updated_at"),
  };
}

export function readCertificateRenewal(body: unknown): CertificateRenewal {
  const data = new Fields(dataOf(body), "data");
  return {
    id: data.integer("id"),
    old_certificate_id: data.integer("old_certificate_id"),
    new_certificate_id: data.integer("new_certificate_id"),
    state: data.oneOf("state", RENEWAL_STATES),
    auto_renew: data.boolean("auto_renew"),
    created_at: data.string("created_at"),
    updated_at: data.string("updated_at"),
  };
}

export function readCertificateBundle(body: unknown): CertificateBundle {
  const data = new Fields(dataOf(body), "data");
  return {
    server: data.string("server"),
    root: data.nullableString("root"),
    chain: data.array("chain", (value, where) => asString(value, where)),
  };
}

export function readPrivateKey(body: unknown): string {
  return new Fields(dataOf(body), "data").string("private_key");
}

function readCertificate(value: unknown, where: string): Certificate {
  const certificate = new Fields(value, where);
  return {
    id: certificate.integer("id"),
    domain_id: certificate.integer("domain_id"),
    contact_id: certificate.integer("contact_id"),
    name: certificate.string("name"),
    common_name: certificate.string("common_name"),
    years: certificate.integer("years"),
    csr: certificate.nullableString("csr"),
    state: certificate.oneOf("state", CERTIFICATE_STATES),
    auto_renew: certificate.boolean("auto_renew"),
    alternate_names: certificate.array("alternate_names", (item, at) => asString(item, at)),
    authority_identifier: certificate.string("authority_identifier"),
    created_at: certificate.string("created_at"),
    updated_at: certificate.string("updated_at"),
    expires_at: certificate.nullableString("expires_at"),
    expires_on: certificate.nullableString("expires_on"),
  };
}

function readDomain(value: unknown, where: string): Domain {
  const domain = new Fields(value, where);
  return {
    id: domain.integer("id"),
    account_id: domain.integer("account_id"),
    registrant_id: domain.nullableInteger("registrant_id"),
    name: domain.string("name"),
    unicode_name: domain.string("unicode_name"),
    state: domain.string("state"),
    auto_renew: domain.boolean("auto_renew"),
    private_whois: domain.boolean("private_whois"),
    expires_on: domain.nullableString("expires_on"),
    expires_at: domain.nullableString("expires_at"),
    created_at: domain.string("created_at"),
    updated_at: domain.string("updated_at"),
  };
}

// Every list answers `{"data": [...], "pagination": {...}}`.
function readPage<T>(body: unknown, readItem: Reader<T>): { data: T[]; pagination: Pagination } {
  const answer = new Fields(body, "answer");
  return {
    data: answer.array("data", readItem),
    pagination: answer.object("pagination", readPagination),
  };
}

function readPagination(value: unknown, where: string): Pagination {
  const pagination = new Fields(value, where);
  return {
    current_page: pagination.integer("current_page"),
    per_page: pagination.integer("per_page"),
    total_entries: pagination.integer("total_entries"),
    total_pages: pagination.integer("total_pages"),
  };
}

function readWhoamiAccount(value: unknown, where: string): WhoamiAccount {
  const account = new Fields(value, where);
  return {
    id: account.integer("id"),
    email: account.string("email"),
    plan_identifier: account.string("plan_identifier"),
    created_at: account.string("created_at"),
    updated_at: account.string("updated_at"),
  };
}

function readWhoamiUser(value: unknown, where: string): WhoamiUser {
  const user = new Fields(value, where);
  return {
    id: user.integer("id"),
    email: user.string("email"),
    created_at: user.string("created_at"),
    updated_at: user.string("updated_at"),
  };
}

// DNSimple wraps single objects in `{"data": ...}`.
function dataOf(body: unknown): unknown {
  return new Fields(body, "answer").object("data", (value) => value);
}

type Reader<T> = (value: unknown, where: string) => T;

// The fields of one JSON object, each read with its expected type.
class Fields {
  readonly #object: Record<string, unknown>;
  readonly #where: string;

  constructor(value: unknown, where: string) {
    if (!isObject(value)) throw mismatch(where, "an object", value);
    this.#object = value;
    this.#where = where;
  }

  integer(key: string): number {
    const value = this.#object[key];
    if (!Number.isSafeInteger(value)) throw mismatch(this.#at(key), "an integer", value);
    return value as number;
  }

  nullableInteger(key: string): number | null {
    return this.#object[key] === null ? null : this.integer(key);
  }

  string(key: string): string {
    return asString(this.#object[key], this.#at(key));
  }

  nullableString(key: string): string | null {
    const value = this.#object[key];
    return value === null ? null : asString(value, this.#at(key));
  }

  boolean(key: string): boolean {
    const value = this.#object[key];
    if (typeof value !== "boolean") throw mismatch(this.#at(key), "true or false", value);
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.#object[key];
    const found = allowed.find((candidate) => candidate === value);
    if (found === undefined) {
      // Short enumerated words, so naming the value is safe and helps.
      const shown = typeof value === "string" ? `"${value.slice(0, 40)}"` : describe(value);
      throw new MalformedAnswerError(
        `${this.#at(key)}: expected one of ${allowed.join(", ")}, got ${shown}`,
      );
    }
    return found;
  }

  array<T>(key: string, read: Reader<T>): T[] {
    const value = this.#object[key];
    const where = this.#at(key);
    if (!Array.isArray(value)) throw mismatch(where, "an array", value);
    return value.map((item: unknown, index) => read(item, `${where}[${index}]`));
  }

  object<T>(key: string, read: Reader<T>): T {
    const value = this.#object[key];
    const where = this.#at(key);
    if (!isObject(value)) throw mismatch(where, "an object", value);
    return read(value, where);
  }

  nullable<T>(key: string, read: Reader<T>): T | null {
    const value = this.#object[key];
    return value === null ? null : this.object(key, read);
  }

  #at(key: string): string {
    return `${this.#where}.${key}`;
  }
}

function asString(value: unknown, where: string): string {
  if (typeof value !== "string") throw mismatch(where, "a string", value);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mismatch(where: string, expected: string, value: unknown): MalformedAnswerError {
  return new MalformedAnswerError(`${where}: expected ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
