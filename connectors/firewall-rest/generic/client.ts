/**
 * One configured request → one HttpRequest through the shared Transport: the templates rendered, the auth
 * header added (the secret revealed here, per request, and nowhere else), the JSON answer parsed and checked
 * against the error rules.
 */
import { ConnectorError } from '../../types.js';
import type { HttpRequest, HttpResponse, Transport } from '../api.js';
import type { RequestOp } from './config-ops.js';
import type { GenericProfileOptions } from './config.js';
import { errorOf, type ErrorPolicy } from './errors.js';
import { parseJson } from './extract.js';
import { renderBody, renderPath, renderQueryValue, TemplateError, type TemplateValues } from './template.js';

export interface Answer {
  readonly res: HttpResponse;
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  readonly body: unknown;
}

type Auth = GenericProfileOptions['auth'];

function authHeaders(auth: Auth): Record<string, string> {
  switch (auth.type) {
    case 'bearer':
      return { authorization: `Bearer ${auth.token.reveal()}` };
    case 'header':
      return { [auth.name.toLowerCase()]: auth.value.reveal() };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username.reveal()}:${auth.password.reveal()}`, 'utf8').toString('base64')}` };
  }
}

export class GenericClient {
  constructor(
    private readonly transport: Transport,
    private readonly auth: Auth,
    readonly policy: ErrorPolicy,
  ) {}

  get label(): string {
    return this.policy.label;
  }

  /**
   * Sends `op` and answers its parsed body; throws the mapped ConnectorError for an error answer. `extraQuery`
   * adds paging parameters. `what` and `subject` name the request in messages ("update user", `"jdoe"`).
   */
  async send(op: RequestOp, values: TemplateValues, what: string, subject: string, signal: AbortSignal, extraQuery: Readonly<Record<string, string>> = {}): Promise<Answer> {
    const res = await this.transport.request(this.#request(op, values, what, subject, extraQuery), signal);
    const body = parseJson(res.body);
    const err = errorOf(res, body, this.policy, what, subject);
    if (err) throw err;
    return { res, body };
  }

  /** Like send, but an answer mapped to not-found resolves undefined. */
  async sendOrMissing(op: RequestOp, values: TemplateValues, what: string, subject: string, signal: AbortSignal, extraQuery: Readonly<Record<string, string>> = {}): Promise<Answer | undefined> {
    try {
      return await this.send(op, values, what, subject, signal, extraQuery);
    } catch (err) {
      if (err instanceof ConnectorError && err.kind === 'not-found') return undefined;
      throw err;
    }
  }

  #request(op: RequestOp, values: TemplateValues, what: string, subject: string, extraQuery: Readonly<Record<string, string>>): HttpRequest {
    try {
      let path = renderPath(op.path, values);
      const query: Record<string, string> = {};
      for (const [k, t] of Object.entries(op.query ?? {})) {
        const v = renderQueryValue(t, values);
        if (v !== undefined) query[k] = v;
      }
      Object.assign(query, extraQuery);
      // A path template may hold its own query string (`/api/v2/user?id={id}`): add to it rather than start another.
      const inPath = path.includes('?');
      if (inPath && Object.keys(query).length > 0) path += `&${new URLSearchParams(query).toString()}`;
      return {
        method: op.method,
        path,
        ...(!inPath && Object.keys(query).length > 0 ? { query } : {}),
        headers: authHeaders(this.auth),
        ...(op.body !== undefined ? { body: renderBody(op.body, values) } : {}),
        ...(op.idempotent !== undefined ? { idempotent: op.idempotent } : {}),
        what,
      };
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      throw new ConnectorError('invalid', `${this.label}: ${what} ${subject}: ${err.message}`, { cause: err });
    }
  }
}
