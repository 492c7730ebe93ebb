/**
 * The generic profile against the fake JSON REST firewall (test/support/fake-firewall/json-rest.ts), configured
 * by the shipped example connector files themselves (config/examples/{pfsense,opnsense}/connectors/*.yaml), so
 * the examples cannot rot. Requests go through the real HttpTransport; every request the profile hands it and
 * every log line are recorded.
 */
import { z } from 'zod';
import type { FirewallApi, HttpRequest } from '../../../../../connectors/firewall-rest/api.js';
import { commonOptions, refineCommon } from '../../../../../connectors/firewall-rest/common-config.js';
import { createGenericApi, genericDefaultMapping, genericOptionsShape } from '../../../../../connectors/firewall-rest/generic/index.js';
import { defineConnector, resolveMapping } from '../../../../../connectors/types.js';
import { exampleYaml, expandEnv } from '../../../../support/firewall-examples.js';
import { recordingTransport } from '../../../../support/recording-transport.js';
import { startFakeJsonRest, type FakeJsonRest, type FakeJsonRestOptions, type JsonRestFlavour } from '../../../../support/fake-firewall/json-rest.js';

/** The connector's options schema with the generic profile, as the lead's config.ts union entry would be. */
export const genericConfigSchema = z
  .strictObject({ profile: z.literal('generic'), ...commonOptions, ...genericOptionsShape })
  .superRefine((c, ctx) => refineCommon(c, ctx));

export type GenericConfig = z.output<typeof genericConfigSchema>;

/** A registry whose firewall-rest knows only the generic profile, for loading the examples through the real loader. */
export const genericRegistry = {
  'firewall-rest': defineConnector({
    type: 'firewall-rest',
    configSchema: genericConfigSchema,
    defaultMapping: (o: GenericConfig) => genericDefaultMapping(o),
    mappingMode: 'merge',
    create: () => {
      throw new Error('the generic profile tests do not start connectors');
    },
  }),
};

export interface HarnessOptions {
  readonly fake?: Omit<FakeJsonRestOptions, 'flavour'>;
  /** Changes the example's raw `options:` (after env expansion) before it is parsed. */
  readonly patch?: (options: Record<string, unknown>) => void;
  readonly pageSize?: number;
  /** Overrides the credential the gateway sends. */
  readonly apiKey?: string;
  /** The mapped native fields to hand the profile, instead of the example's mapping. */
  readonly mapped?: { user: string[]; group: string[] };
}

export interface Harness {
  readonly fake: FakeJsonRest;
  readonly api: FirewallApi;
  readonly options: GenericConfig;
  /** Native fields the example's mapping uses, as the connector would pass them. */
  readonly mapped: { user: string[]; group: string[] };
  readonly requests: HttpRequest[];
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startHarness(flavour: JsonRestFlavour, h: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeJsonRest({ flavour, ...h.fake });
  const { options: rawOptions, mapping } = exampleYaml(flavour);
  const prefix = flavour === 'pfsense' ? 'PFSENSE' : 'OPNSENSE';
  const env = { [`${prefix}_API_KEY`]: h.apiKey ?? fake.apiKey, [`${prefix}_API_SECRET`]: fake.apiSecret, DATA_DIR: '/nonexistent' };
  const raw = expandEnv(rawOptions, env) as Record<string, unknown>;
  h.patch?.(raw);
  const options = genericConfigSchema.parse(raw);
  const resolved = resolveMapping(genericRegistry['firewall-rest'], options, mapping);
  const native = (m: Readonly<Record<string, string>>, key: string) => Object.entries(m).filter(([scim]) => scim !== key && scim !== 'externalId').map(([, f]) => f);
  const mapped = h.mapped ?? { user: native(resolved.user, 'userName'), group: native(resolved.group, 'displayName') };

  const { transport, requests, logs, log } = recordingTransport({ baseUrl: fake.baseUrl, label: options.label, limits: options.limits });
  const api = createGenericApi({ ...options, ...(h.pageSize === undefined ? {} : { pageSize: h.pageSize }) }, transport, log, mapped);
  return {
    fake,
    api,
    options,
    mapped,
    requests,
    logs,
    async close() {
      await api.close?.();
      await transport.close();
      await fake.close();
    },
  };
}

/** A signal that never aborts. */
export const never = (): AbortSignal => new AbortController().signal;

/** Rejects with what `promise` rejected with, failing when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Every object of a kind, all pages joined. */
export async function listAll(api: FirewallApi, kind: 'user' | 'group'): Promise<{ key: string; fields: Readonly<Record<string, unknown>>; members?: readonly string[] }[]> {
  const out = [];
  for await (const page of api.list(kind, never())) out.push(...page);
  return out;
}
