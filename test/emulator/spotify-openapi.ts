import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Spotify's Web API OpenAPI 3.0 description (third-party, kept outside the repository), turned into
 * JSON Schema for Ajv: `$ref`s to components are rewritten to a definitions table, OpenAPI's
 * `nullable: true` becomes `anyOf: [{type: 'null'}, ...]`, and annotation-only keys (`example`,
 * `x-*`) are dropped. Property names are never mistaken for keywords.
 */

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SPEC_ID = 'spotify-openapi';

export function locateSpotifySpec(): { path: string; found: boolean } {
  const path = resolve(REPOSITORY_ROOT, process.env.SPOTIFY_OPENAPI_SPEC ?? '../shared/spotify/web-api.openapi.yml');
  return { path, found: existsSync(path) };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A place where Spotify sends null although the description does not say nullable, and why we know. */
export interface NullablePatch {
  schema: string;
  property: string;
  why: string;
}

export class SpotifyOpenApi {
  readonly definitions: Record<string, JsonObject> = {};
  private readonly ajv: Ajv;
  private readonly document: JsonObject;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(path: string, patches: readonly NullablePatch[]) {
    this.document = parse(readFileSync(path, 'utf8')) as JsonObject;
    const components = this.document.components as JsonObject;
    const schemas = components.schemas as Record<string, JsonObject>;
    for (const patch of patches) {
      const properties = schemas[patch.schema]?.properties as Record<string, JsonObject> | undefined;
      if (!properties?.[patch.property]) throw new Error(`nullable patch ${patch.schema}.${patch.property} matches nothing in the spec`);
      properties[patch.property]!.nullable = true;
    }
    for (const [name, schema] of Object.entries(schemas)) this.definitions[`schemas.${name}`] = convert(schema) as JsonObject;
    for (const [name, response] of Object.entries(components.responses as Record<string, JsonObject>)) {
      const schema = mediaSchema(response);
      if (schema) this.definitions[`responses.${name}`] = convert(schema) as JsonObject;
    }
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
    // ajv-formats is CommonJS: under NodeNext its default import is the module, whose `default` is the plugin.
    addFormats.default(this.ajv);
    this.ajv.addSchema({ $id: SPEC_ID, definitions: this.definitions });
  }

  /** The response schema the spec gives for a path, method and status, or undefined if it gives none. */
  responseRef(path: string, method: string, status: number): string | undefined {
    const operation = ((this.document.paths as JsonObject)[path] as JsonObject | undefined)?.[method] as JsonObject | undefined;
    const response = (operation?.responses as JsonObject | undefined)?.[String(status)] as JsonObject | undefined;
    if (!response) return undefined;
    const ref = response.$ref;
    if (typeof ref === 'string') return `responses.${ref.split('/').pop()}`;
    throw new Error(`inline response for ${method} ${path} ${status}: teach SpotifyOpenApi to handle it`);
  }

  hasPath(path: string): boolean {
    return path in (this.document.paths as JsonObject);
  }

  /** Validates a value against a definition (`responses.Unauthorized`, `schemas.TrackObject`): the errors, or [] when valid. */
  validate(definition: string, value: unknown): string[] {
    if (!this.definitions[definition]) throw new Error(`no ${definition} in the spec`);
    const validator = this.validators.get(definition) ?? this.ajv.compile({ $ref: `${SPEC_ID}#/definitions/${definition}` });
    this.validators.set(definition, validator);
    return validator(value) ? [] : (validator.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? ''}`);
  }

  /** Keys present in `value` that the spec does not declare where they appear (`error.reason`, ...). */
  undeclaredProperties(definition: string, value: unknown): string[] {
    const found: string[] = [];
    this.walkUndeclared(this.definitions[definition]!, value, '', found);
    return [...new Set(found)];
  }

  /** Paths of every field the schema requires (`items[].track.name`), following $ref, allOf and nullable. */
  requiredPaths(definition: string): string[] {
    return requiredPaths(this.definitions[definition]!, (ref) => this.resolve(ref));
  }

  resolve(ref: string): JsonObject {
    const name = ref.split('/').pop()!;
    const schema = this.definitions[name];
    if (!schema) throw new Error(`unresolvable $ref ${ref}`);
    return schema;
  }

  private walkUndeclared(schema: JsonObject, value: unknown, at: string, found: string[]): void {
    const shapes = flatten(schema, (ref) => this.resolve(ref));
    if (Array.isArray(value)) {
      for (const shape of shapes) if (shape.items) for (const item of value) this.walkUndeclared(shape.items as JsonObject, item, `${at}[]`, found);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const declared = new Map<string, JsonObject>();
    for (const shape of shapes) for (const [key, sub] of Object.entries((shape.properties as JsonObject | undefined) ?? {})) declared.set(key, sub as JsonObject);
    for (const [key, sub] of Object.entries(value)) {
      const path = at ? `${at}.${key}` : key;
      const subSchema = declared.get(key);
      if (!subSchema) found.push(path);
      else this.walkUndeclared(subSchema, sub, path, found);
    }
  }
}

function mediaSchema(response: JsonObject): JsonObject | undefined {
  const content = response.content as Record<string, JsonObject> | undefined;
  return content?.['application/json']?.schema as JsonObject | undefined;
}

const ANNOTATIONS = new Set(['example', 'examples', 'externalDocs', 'xml', 'discriminator', 'nullable']);
const NAME_MAPS = new Set(['properties', 'patternProperties', 'definitions']);

/** OpenAPI 3.0 schema → JSON Schema (draft-07) for Ajv. */
function convert(node: Json): Json {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace(/^#\/components\/(schemas|responses)\//, '#/definitions/$1.');
    } else if (NAME_MAPS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, convert(sub)]));
    } else {
      out[key] = convert(value);
    }
  }
  if ('$ref' in out) {
    // Siblings of $ref are ignored by OpenAPI 3.0 (and draft-07); keep only the reference.
    const ref = { $ref: out.$ref! };
    return node.nullable === true ? { anyOf: [{ type: 'null' }, ref] } : ref;
  }
  return node.nullable === true ? { anyOf: [{ type: 'null' }, out] } : out;
}

/** The object/array shapes a schema stands for: $ref resolved, allOf merged, null branches dropped. */
function flatten(schema: JsonObject, resolve: (ref: string) => JsonObject): JsonObject[] {
  if (typeof schema.$ref === 'string') return flatten(resolve(schema.$ref), resolve);
  const shapes: JsonObject[] = [schema];
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const members = schema[key];
    if (Array.isArray(members)) {
      for (const member of members as JsonObject[]) if (member.type !== 'null') shapes.push(...flatten(member, resolve));
    }
  }
  return shapes;
}

/** Required field paths of a JSON Schema (either the spec's or one generated from zod). */
export function requiredPaths(schema: JsonObject, resolve: (ref: string) => JsonObject = () => ({})): string[] {
  const out = new Set<string>();
  const walk = (node: JsonObject, at: string, depth: number) => {
    if (depth > 12) return;
    for (const shape of flatten(node, resolve)) {
      for (const name of (shape.required as string[] | undefined) ?? []) out.add(at ? `${at}.${name}` : name);
      for (const [name, sub] of Object.entries((shape.properties as JsonObject | undefined) ?? {})) walk(sub as JsonObject, at ? `${at}.${name}` : name, depth + 1);
      if (shape.items && typeof shape.items === 'object') walk(shape.items as JsonObject, `${at}[]`, depth + 1);
    }
  };
  walk(schema, '', 0);
  return [...out].sort();
}
