/**
 * Request bodies: JSON only (application/scim+json or application/json), bounded in size before it is
 * buffered, parsed with JSON.parse (which makes "__proto__" an ordinary own key; src/scim never copies
 * client keys into objects anyway).
 */
import type { IncomingMessage } from 'node:http';
import { invalidSyntax, ScimError } from '../scim/errors.js';

function tooLarge(limit: number): ScimError {
  return new ScimError(413, undefined, `the request body is larger than ${limit} bytes`);
}

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  // Entra sends application/scim+json; curl users send application/json. No header at all is tolerated.
  if (type !== '' && type !== 'application/scim+json' && type !== 'application/json') {
    throw invalidSyntax(`the request body must be application/scim+json, not ${type}`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const text = await readText(req, limit);
  if (text.trim() === '') throw invalidSyntax('the request body is empty; a JSON object is required');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalidSyntax(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** The body as text, stopping (413) as soon as it passes `limit`. Events, not an async iterator: cheaper per request. */
function readText(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
