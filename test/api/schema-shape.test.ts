import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLNamedType,
} from 'graphql';
import { describe, expect, it } from 'vitest';

/** What a client developer reads: schema.graphql as committed (CI checks it is what the resolvers produce). */
const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
const ownTypes = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__') && !['String', 'Int', 'Boolean', 'ID', 'Float'].includes(type.name));
const mutations = Object.values(schema.getMutationType()!.getFields());

/** Every place a description can go, named. */
function describedThings(): Array<[string, string | null | undefined]> {
  const things: Array<[string, string | null | undefined]> = [];
  for (const type of ownTypes) {
    things.push([type.name, type.description]);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        things.push([`${type.name}.${field.name}`, field.description]);
        for (const arg of field.args) things.push([`${type.name}.${field.name}(${arg.name})`, arg.description]);
      }
    }
    if (isInputObjectType(type)) for (const field of Object.values(type.getFields())) things.push([`${type.name}.${field.name}`, field.description]);
    if (isEnumType(type)) for (const value of type.getValues()) things.push([`${type.name}.${value.name}`, value.description]);
  }
  return things.filter(([name]) => !['Query', 'Mutation'].includes(name));
}

describe('schema.graphql, as a client developer reads it', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    const undescribed = describedThings().filter(([, description]) => !description?.trim()).map(([name]) => name);
    expect(undescribed).toEqual([]);
  });

  it('speaks to clients, never about how Playlog is built', () => {
    const implementation = /\b(sql|postgres\w*|redis|bullmq|index(es)?|tables?|database|in one query|resolvers?|mikro-?orm|knex|keyset|join)\b/i;
    const leaks = describedThings().filter(([, description]) => implementation.test(description ?? '')).map(([name, description]) => `${name}: ${description}`);
    expect(leaks).toEqual([]);
  });

  it('has no Float: counts and sizes are Int', () => {
    const floats: string[] = [];
    for (const type of ownTypes) {
      if (!isObjectType(type) && !isInterfaceType(type) && !isInputObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) if (String(field.type).replace(/[[\]!]/g, '') === 'Float') floats.push(`${type.name}.${field.name}`);
    }
    expect(floats).toEqual([]);
  });

  it('identifies User, Play, Track, Album, Artist, Import and Export as Nodes, and can fetch any of them by id', () => {
    const node = schema.getType('Node');
    expect(isInterfaceType(node)).toBe(true);
    const implementations = schema.getPossibleTypes(node as never).map((type) => type.name).sort();
    expect(implementations).toEqual(['Album', 'Artist', 'Export', 'Import', 'Play', 'Track', 'User']);
    for (const name of implementations) {
      const id = (schema.getType(name) as unknown as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields().id!;
      expect(String(id.type), name).toBe('ID!');
    }
    const query = schema.getQueryType()!.getFields();
    expect(String(query.node!.type)).toBe('Node');
    expect(String(query.node!.args[0]!.type)).toBe('ID!');
    expect(String(query.nodes!.type)).toBe('[Node]!');
    expect(String(query.me!.type)).toBe('User!');
  });

  it('pages every list of a user’s things as a connection: first/after, last/before, edges, pageInfo and totalCount', () => {
    const query = schema.getQueryType()!.getFields();
    for (const name of ['listeningHistory', 'imports']) {
      const field = query[name]!;
      expect(field.args.map((arg) => arg.name)).toEqual(expect.arrayContaining(['first', 'after', 'last', 'before']));
      const connection = getNamedType(field.type) as GraphQLNamedType & { getFields(): Record<string, GraphQLField<unknown, unknown>> };
      expect(connection.name).toMatch(/Connection$/);
      const fields = connection.getFields();
      expect(String(fields.pageInfo!.type)).toBe('PageInfo!');
      expect(String(fields.totalCount!.type)).toBe('Int!');
      const edge = getNamedType(fields.edges!.type) as GraphQLNamedType & { getFields(): Record<string, GraphQLField<unknown, unknown>> };
      expect(Object.keys(edge.getFields()).sort()).toEqual(['cursor', 'node']);
    }
    const pageInfo = (schema.getType('PageInfo') as unknown as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields();
    expect(Object.fromEntries(Object.entries(pageInfo).map(([name, field]) => [name, String(field.type)]))).toEqual({
      hasNextPage: 'Boolean!',
      hasPreviousPage: 'Boolean!',
      startCursor: 'String',
      endCursor: 'String',
    });
  });

  it('gives every mutation one `input` and a payload of its own that hands back clientMutationId', () => {
    for (const mutation of mutations) {
      expect(mutation.args.map((arg) => arg.name), mutation.name).toEqual(['input']);
      const input = getNamedType(mutation.args[0]!.type);
      expect(input.name).toBe(`${mutation.name[0]!.toUpperCase()}${mutation.name.slice(1)}Input`);
      expect(isNonNullType(mutation.type), mutation.name).toBe(true);
      const payload = getNamedType(mutation.type);
      expect(payload.name).toBe(`${mutation.name[0]!.toUpperCase()}${mutation.name.slice(1)}Payload`);
      expect(Object.keys((payload as unknown as { getFields(): object }).getFields())).toContain('clientMutationId');
      expect(Object.keys((input as unknown as { getFields(): object }).getFields())).toContain('clientMutationId');
    }
    expect(mutations.length).toBeGreaterThan(0);
  });

  it('returns failures a user can act on as typed errors implementing UserError, each with a code of its mutation’s own', () => {
    const userError = schema.getType('UserError');
    expect(isInterfaceType(userError)).toBe(true);
    const errors = schema.getPossibleTypes(userError as never);
    expect(errors.map((type) => type.name).sort()).toEqual(['CancelImportError', 'LoginError', 'RequestExportError']);
    for (const error of errors) expect(isEnumType(getNamedType(error.getFields().code!.type)), error.name).toBe(true);
    expect(String(schema.getType('RequestSyncPayload') && (schema.getType('RequestSyncPayload') as never as { getFields(): Record<string, { type: unknown }> }).getFields().poll!.type)).toBe('PollStatus!');
    expect((schema.getType('PollStatus') as never as { getValues(): Array<{ name: string }> }).getValues().map((value) => value.name).sort()).toEqual(['ALREADY_RUNNING', 'NOT_ACTIVE', 'STARTED']);
  });

  it('keeps dates in the DateTime scalar', () => {
    expect(isScalarType(schema.getType('DateTime'))).toBe(true);
  });
});
