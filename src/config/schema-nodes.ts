/**
 * Building blocks of the config schema (src/config/schema.ts) and of the model families' keys (src/models/families):
 * every node carries a `description` that reads as the end of "KEY must be …". A module of its own so that a model
 * family can declare its keys without importing the schema that is assembled from the families.
 */

export interface SchemaNode {
  type?: string | string[];
  description: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean;
  items?: Omit<SchemaNode, 'description'> & { description?: string };
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
}


export function int(min: number, max?: number): SchemaNode {
  const node: SchemaNode = { type: 'integer', minimum: min, description: `an integer >= ${min}` };
  if (max !== undefined) {
    node.maximum = max;
    node.description = `an integer in [${min}, ${max}]`;
  }
  return node;
}

export function nullable(node: SchemaNode, meaning: string): SchemaNode {
  return { ...node, type: [node.type as string, 'null'], description: `${node.description}, or null (${meaning})` };
}

export function oneOf(values: readonly string[]): SchemaNode {
  return { type: 'string', enum: values, description: `one of ${values.join(', ')}` };
}

export const text = (what: string): SchemaNode => ({ type: 'string', minLength: 1, description: `a non-empty string (${what})` });

export function section(properties: Record<string, SchemaNode>): SchemaNode {
  return {
    type: 'object',
    properties,
    additionalProperties: false,
    description: `a mapping with keys ${Object.keys(properties).join(', ')}`,
  };
}

export const unitList = (which: string): SchemaNode =>
  nullable(
    {
      type: 'array',
      items: { type: 'integer', minimum: 1 },
      minItems: 1,
      description: `a non-empty list of integers >= 1 (hidden ${which} layer widths)`,
    },
    'use the model.size table',
  );
