import { z } from 'zod';

/** JSON Schema (2020-12, the dialect of OpenAPI 3.1 and AsyncAPI 3) of what a client sends for `schema`. */
export function inputSchema(schema: z.ZodType): Record<string, unknown> {
  // Transforms (e.g. 'true' -> true) have no JSON Schema: their input side is described instead.
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete json['$schema'];
  return json;
}
