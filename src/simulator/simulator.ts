// The DNSimple simulator, in process: startSimulator(options) listens on 127.0.0.1 and
// answers the Certificates API; the returned Simulator has the admin operations the
// /_sim/ endpoints expose (see README.md).
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AdminHandler } from "./admin-handler.ts";
import {
  type CertificateView,
  certificateView,
  countsOf,
  type SimulatorCounts,
} from "./admin-views.ts";
import { ApiHandler } from "./api-handler.ts";
import { type ApiCall, CallLog } from "./call-log.ts";
import {
  type CertificateAuthority,
  createCertificateAuthority,
  loadOrCreateCertificateAuthority,
} from "./certificate-authority.ts";
import { CertificateService } from "./certificate-service.ts";
import {
  FaultInjector,
  type FaultRates,
  type OneShotFault,
  type OneShotFaultInput,
} from "./faults.ts";
import { createHttpServer } from "./http-server.ts";
import {
  type IssuanceOutcomeRule,
  type IssuanceOutcomeRuleInput,
  IssuanceOutcomes,
} from "./issuance-outcomes.ts";
import type { Domain, IssuanceRecord, Purchase } from "./model.ts";
import { resolveOptions, type SimulatorOptions } from "./options.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { Scheduler } from "./scheduler.ts";
import { applySettingsPatch, type SimulatorSettings } from "./settings.ts";
import { Store } from "./store.ts";
import { type WebhookDelivery, WebhookNotifier } from "./webhooks.ts";

export type { SimulatorOptions } from "./options.ts";

export interface FaultState extends FaultRates {
  oneShots: OneShotFault[];
}

export function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return Simulator.start(options);
}

export class Simulator {
  readonly token: string;
  readonly accountId: number;
  readonly domains: readonly Domain[];
  readonly rootPem: string;
  readonly intermediatePem: string;
  /** Whether the CA was created by this start (false when reused from --ca-dir). */
  readonly caCreated: boolean;

  #settings: SimulatorSettings;
  readonly #store: Store;
  readonly #service: CertificateService;
  readonly #faults: FaultInjector;
  readonly #outcomes = new IssuanceOutcomes();
  readonly #callLog = new CallLog();
  readonly #rateLimiter: RateLimiter;
  readonly #webhooks: WebhookNotifier;
  readonly #scheduler: Scheduler;
  readonly #server: Server;
  #port = 0;

  static async start(overrides: Partial<SimulatorOptions>): Promise<Simulator> {
    const options = resolveOptions(overrides);
    const now = new Date();
    const { authority, created } =
      options.caDir === null
        ? { authority: await createCertificateAuthority(now), created: true }
        : await loadOrCreateCertificateAuthority(options.caDir, now);
    const simulator = new Simulator(options, authority, created);
    await simulator.#listen(options.port, options.host);
    return simulator;
  }

  private constructor(
    options: SimulatorOptions,
    authority: CertificateAuthority,
    caCreated: boolean,
  ) {
    const { log } = options;
    this.#rateLimiter = new RateLimiter(options.rateLimitWindowMs);
    this.token = options.token;
    this.accountId = options.accountId;
    this.rootPem = authority.rootPem;
    this.intermediatePem = authority.intermediatePem;
    this.caCreated = caCreated;
    this.#settings = {
      plan: options.plan,
      issueDelayMs: options.issueDelayMs,
      validityMs: options.validityMs,
      rateLimit: options.rateLimit,
      includeRoot: options.includeRoot,
      privateKeyFormat: options.privateKeyFormat,
      webhookUrl: options.webhookUrl,
    };
    this.#faults = new FaultInjector({
      errorRate: options.errorRate,
      latencyMs: options.latencyMs,
      dropRate: options.dropRate,
    });
    this.#store = new Store(options.accountId, options.domains, new Date(), options.registrations);
    this.domains = this.#store.domains;
    this.#scheduler = new Scheduler((error) => log(`background task failed: ${String(error)}`));
    this.#webhooks = new WebhookNotifier(() => this.#settings.webhookUrl, log);
    this.#service = new CertificateService({
      store: this.#store,
      authority,
      settings: () => this.#settings,
      scheduler: this.#scheduler,
      webhooks: this.#webhooks,
      outcomes: this.#outcomes,
      log,
    });
    this.#server = createHttpServer({
      api: new ApiHandler({
        service: this.#service,
        store: this.#store,
        token: options.token,
        plan: () => this.#settings.plan,
      }),
      admin: new AdminHandler(this),
      faults: this.#faults,
      rateLimiter: this.#rateLimiter,
      rateLimit: () => this.#settings.rateLimit,
      callLog: this.#callLog,
      token: options.token,
      random: options.random,
      log,
    });
  }

  get port(): number {
    return this.#port;
  }

  // The base URL; the API is under /v2, the admin view under /_sim.
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await Promise.all([closed, this.#scheduler.close(), this.#webhooks.close()]);
  }

  // --- What happened -------------------------------------------------------------

  calls(): ApiCall[] {
    return this.#callLog.list();
  }

  resetCalls(): void {
    this.#callLog.reset();
  }

  purchases(): Purchase[] {
    return this.#store.purchases();
  }

  issuances(): IssuanceRecord[] {
    return this.#store.issuances();
  }

  certificates(): CertificateView[] {
    return this.#store
      .certificates()
      .map((certificate) => certificateView(certificate, this.#store.domainOf(certificate).name));
  }

  webhookDeliveries(): WebhookDelivery[] {
    return this.#webhooks.deliveries();
  }

  counts(): SimulatorCounts {
    return countsOf({
      calls: this.calls(),
      purchases: this.purchases(),
      certificates: this.certificates(),
      issuances: this.issuances(),
      deliveries: this.webhookDeliveries(),
    });
  }

  // --- How it behaves ------------------------------------------------------------

  settings(): SimulatorSettings {
    return { ...this.#settings };
  }

  updateSettings(patch: Partial<SimulatorSettings>): SimulatorSettings {
    this.#settings = applySettingsPatch(this.#settings, patch);
    return this.settings();
  }

  faults(): FaultState {
    return { ...this.#faults.rates(), oneShots: this.#faults.oneShots() };
  }

  setFaults(patch: Partial<FaultRates>): FaultState {
    this.#faults.updateRates(patch);
    return this.faults();
  }

  addOneShotFault(fault: OneShotFaultInput): OneShotFault {
    return this.#faults.addOneShot(fault);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  /** "The next N issuances (optionally for one domain and/or name) end failed/cancelled." */
  addIssuanceOutcome(rule: IssuanceOutcomeRuleInput): IssuanceOutcomeRule {
    return this.#outcomes.add(rule);
  }

  pendingIssuanceOutcomes(): IssuanceOutcomeRule[] {
    return this.#outcomes.pending();
  }

  clearIssuanceOutcomes(): void {
    this.#outcomes.clear();
  }

  removePrivateKey(certificateId: number): void {
    this.#service.removePrivateKey(certificateId);
  }

  serveMismatchingPrivateKey(certificateId: number): Promise<void> {
    return this.#service.serveMismatchingPrivateKey(certificateId);
  }

  resetRateLimits(): void {
    this.#rateLimiter.reset();
  }

  async #listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }
}
