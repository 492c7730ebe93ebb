/**
 * SCIM errors (RFC 7644 §3.12). Everything the protocol layer rejects is a ScimError; connector failures
 * are ConnectorErrors that `toScimError` (src/http/error-mapping.ts) turns into one of these, in one place.
 */

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

export class ScimError extends Error {
  override readonly name = 'ScimError';
  readonly status: number;
  readonly scimType: ScimType | undefined;
  /** May the client see `message`? Never for 5xx: internal detail stays in the log. */
  readonly expose: boolean;
  /** Seconds for the Retry-After header (429/503). */
  readonly retryAfterSec: number | undefined;

  constructor(
    status: number,
    scimType: ScimType | undefined,
    detail: string,
    options: { cause?: unknown; retryAfterSec?: number } = {},
  ) {
    super(detail, { cause: options.cause });
    this.status = status;
    this.scimType = scimType;
    this.expose = status < 500;
    this.retryAfterSec = options.retryAfterSec;
  }

  toBody(): ScimErrorBody {
    const body: ScimErrorBody = { schemas: [ERROR_SCHEMA], status: String(this.status), detail: '' };
    if (this.scimType) body.scimType = this.scimType;
    body.detail = this.expose ? this.message : GENERIC_5XX[this.status] ?? 'internal error; see the gateway log';
    return body;
  }
}

const GENERIC_5XX: Record<number, string> = {
  500: 'internal error; see the gateway log',
  501: 'not implemented',
  503: 'the downstream store is unavailable; retry later',
};

export const invalidFilter = (detail: string): ScimError => new ScimError(400, 'invalidFilter', detail);
export const invalidPath = (detail: string): ScimError => new ScimError(400, 'invalidPath', detail);
export const invalidSyntax = (detail: string): ScimError => new ScimError(400, 'invalidSyntax', detail);
export const invalidValue = (detail: string): ScimError => new ScimError(400, 'invalidValue', detail);
export const noTarget = (detail: string): ScimError => new ScimError(400, 'noTarget', detail);
export const mutability = (detail: string): ScimError => new ScimError(400, 'mutability', detail);
export const uniqueness = (detail: string): ScimError => new ScimError(409, 'uniqueness', detail);
export const tooMany = (detail: string): ScimError => new ScimError(400, 'tooMany', detail);
export const notFound = (detail: string): ScimError => new ScimError(404, undefined, detail);
export const preconditionFailed = (detail: string): ScimError => new ScimError(412, undefined, detail);
