/**
 * Responses are written from their zod schema compiled once per route into a
 * fast-json-stringify function: only the properties the schema names are written (nothing a
 * handler adds by mistake reaches the client), dates as ISO 8601 strings. Validating every
 * response with zod before writing it cost more than the SQL of most endpoints (the funding
 * overview spent most of its time there); the schema still decides what goes out.
 */
import fastJson from 'fast-json-stringify';
import { type ZodType, z } from 'zod';

type JsonSchema = Record<string, unknown>;

/** The JSON schema of what a response schema writes. */
export function outputJsonSchema(schema: ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-7',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def;
      if (def.type === 'date') {
        ctx.jsonSchema.type = 'string';
        ctx.jsonSchema.format = 'date-time';
      }
    },
  }) as JsonSchema;
}

/**
 * Fastify's serializer compiler for routes whose response schemas are zod schemas. Each is
 * compiled when it first writes a response: compiling every route's at start-up took seconds.
 */
export function serializerCompiler({ schema }: { schema: unknown }): (data: unknown) => string {
  let write: ((data: unknown) => string) | undefined;
  return (data) => {
    write ??= fastJson(outputJsonSchema(schema as ZodType) as unknown as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
    return write(data);
  };
}
