/**
 * /Schemas, /ResourceTypes and /ServiceProviderConfig (RFC 7643 §5–7), generated from what the endpoint's
 * mapping stores and what its connector can do. Entra's schema discovery lists exactly these attributes
 * in its mapping screen, so an attribute we would drop is never offered there.
 */
import type { Capabilities } from '../../connectors/types.js';
import { COMMON_ATTRIBUTES, ENTERPRISE_USER_SCHEMA, GROUP_RESOURCE_TYPE, LIST_RESPONSE_SCHEMA, USER_RESOURCE_TYPE } from '../scim/schema/definitions.js';
import { findAttr } from '../scim/schema/resolve.js';
import type { AttributeDef, ResourceTypeDef, ResourceTypeName, SchemaDef, ScimObject, ScimValue } from '../scim/schema/types.js';
import type { Slot } from './mapping/compile.js';
import type { RequestLimits } from './runtime.js';

type Obj = { [k: string]: ScimValue };

function renderAttr(a: AttributeDef, subs?: readonly AttributeDef[]): Obj {
  const out: Obj = {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
  };
  if (a.canonicalValues && a.canonicalValues.length > 0) out['canonicalValues'] = [...a.canonicalValues];
  if (a.referenceTypes) out['referenceTypes'] = [...a.referenceTypes];
  if (subs) out['subAttributes'] = subs.map((s) => renderAttr(s));
  return out;
}

/** The attributes of `schema` that `slots` store, with sub-attributes and canonical values narrowed to them. */
function storedAttributes(schema: SchemaDef, slots: readonly Slot[], extra: readonly AttributeDef[]): Obj[] {
  const out: Obj[] = [];
  // A Set: `members` is passed in `extra` and is also in the Group schema; list it once.
  for (const a of new Set([...extra, ...schema.attributes])) {
    const mine = slots.filter((s) => s.attr === a);
    if (a.name === 'members' && extra.includes(a)) {
      out.push(renderAttr(a, a.subAttributes?.filter((s) => s.mutability !== 'readOnly')));
      continue;
    }
    if (mine.length === 0) continue;
    if (a.type !== 'complex') {
      out.push(renderAttr(a));
      continue;
    }
    const subs = (a.subAttributes ?? []).filter((s) => mine.some((m) => m.sub === s || m.selector?.sub === s));
    const narrowed = subs.map((s) => {
      const values = [...new Set(mine.filter((m) => m.selector?.sub === s).map((m) => m.selector?.value ?? ''))];
      return values.length > 0 ? { ...s, canonicalValues: values } : s;
    });
    out.push(renderAttr(a, narrowed));
  }
  return out;
}

function schemaResource(schema: SchemaDef, attributes: Obj[], baseUrl: string): Obj {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

export interface Discovery {
  readonly schemas: readonly Obj[];
  readonly resourceTypes: readonly Obj[];
  readonly serviceProviderConfig: Obj;
}

export function buildDiscovery(
  slots: Readonly<Record<ResourceTypeName, readonly Slot[]>>,
  caps: Capabilities,
  limits: RequestLimits,
  baseUrl: string,
): Discovery {
  const types: ResourceTypeDef[] = caps.groups ? [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE] : [USER_RESOURCE_TYPE];
  const externalId = findAttr(COMMON_ATTRIBUTES, 'externalId');
  const schemas: Obj[] = [];
  const resourceTypes: Obj[] = [];
  for (const rt of types) {
    const s = slots[rt.id];
    // externalId is a common attribute (RFC 7643 §3.1); listing it lets Entra offer it as a mapping target.
    const extra = [...(externalId ? [externalId] : []), ...(rt.id === 'Group' ? rt.schema.attributes.filter((a) => a.name === 'members') : [])];
    schemas.push(schemaResource(rt.schema, storedAttributes(rt.schema, s, extra), baseUrl));
    const extensions: Obj[] = [];
    for (const ext of rt.extensions) {
      const attrs = storedAttributes(ext.schema, s, []);
      if (attrs.length === 0) continue;
      schemas.push(schemaResource(ext.schema, attrs, baseUrl));
      extensions.push({ schema: ext.schema.id, required: ext.required });
    }
    resourceTypes.push({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: rt.id,
      name: rt.name,
      endpoint: rt.endpoint,
      description: rt.description,
      schema: rt.schema.id,
      ...(extensions.length > 0 ? { schemaExtensions: extensions } : {}),
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${rt.id}` },
    });
  }
  const passwordStored = slots.User.some((s) => s.attr.name === 'password');
  const serviceProviderConfig: Obj = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/scimbridge/scimbridge#readme',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: Math.min(limits.maxPageSize, caps.maxPageSize) },
    changePassword: { supported: passwordStored },
    sort: { supported: caps.sort },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a bearer token (the Secret Token in Microsoft Entra ID).',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
  return { schemas, resourceTypes, serviceProviderConfig };
}

export function listResponse(resources: readonly ScimObject[]): ScimObject {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: resources.length, itemsPerPage: resources.length, startIndex: 1, Resources: resources };
}

/** The enterprise extension is advertised only when something in it is stored. */
export const isEnterpriseStored = (slots: readonly Slot[]): boolean => slots.some((s) => s.schema === ENTERPRISE_USER_SCHEMA);
