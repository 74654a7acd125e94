/**
 * The requirements graph: the conditions the caller may see, what each requires, and the
 * gated objects waiting on them, as nodes and edges ready to draw. Every AND/OR in an
 * expression becomes a junction node, so the structure of a requirement is in the graph
 * itself. A condition the caller may not see appears only as one shared "hidden" node: no
 * id, code or status of it is given, but the junctions and gates it feeds hold or open as
 * they truly do (the analysis counts it with its real status), as every page says.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { run } from '../../http/context.ts';
import { problemResponses } from '../../http/schemas.ts';
import type { Analysis } from './analysis.ts';
import * as s from './conditions.schema.ts';
import * as service from './conditions.service.ts';
import { CONDITION_STATUSES, type Expression } from './expressions.ts';
import type { VisibleModel } from './model-cache.ts';

const source = z.object({ kind: z.enum(['condition', 'junction', 'hidden']), id: z.string() });
const target = z.object({ kind: z.enum(['condition', 'junction', 'gate']), id: z.string() });

export const graphSchema = z.object({
  asOf: z.string().nullable(),
  conditions: z.array(
    z.object({
      id: z.uuid(),
      code: z.string(),
      titleEn: z.string(),
      titleAr: z.string(),
      status: z.enum(CONDITION_STATUSES),
      effective: z.boolean().describe('The status counts as true and everything the condition requires holds'),
    }),
  ),
  gates: z
    .array(
      z.object({
        id: z.string(),
        subjectType: z.string(),
        subjectId: z.string(),
        label: z.string().nullable(),
        open: z.boolean(),
      }),
    )
    .describe('The largest gated objects (gateLimit of them), each with the expression it waits on drawn into the graph'),
  gatesTotal: z.number().int().describe('How many gated objects you may see in all'),
  junctions: z
    .array(z.object({ id: z.string(), op: z.enum(['and', 'or']), holds: z.boolean() }))
    .describe('One node per AND/OR in a requirement or a gate; its inputs are the edges into it'),
  hidden: z
    .boolean()
    .describe('Some expression names conditions you may not see: they are drawn as one node, and count with their real status'),
  edges: z
    .array(z.object({ from: source, to: target, kind: z.enum(['requires', 'gates']) }))
    .describe('From what is needed to what needs it: a condition or junction into a condition, junction or gate'),
});

type Graph = z.infer<typeof graphSchema>;
type Source = Graph['edges'][number]['from'];
type Target = Graph['edges'][number]['to'];

export const HIDDEN_NODE = 'hidden';

/**
 * Adds the nodes and edges of `expression` feeding `owner`. A junction's id is the id of
 * the condition or gate the expression belongs to and its place in the expression
 * ("gate:<id>.1.0"), so it is stable between requests; an AND/OR of one argument is drawn
 * as that argument.
 */
function addExpression(
  graph: Pick<Graph, 'junctions' | 'edges'>,
  expression: Expression,
  owner: Target,
  kind: 'requires' | 'gates',
  isVisible: (id: string) => boolean,
  holds: (id: string) => boolean,
  path = `${owner.kind}:${owner.id}`,
): boolean {
  if (typeof expression === 'string') {
    const from: Source = isVisible(expression) ? { kind: 'condition', id: expression } : { kind: 'hidden', id: HIDDEN_NODE };
    graph.edges.push({ from, to: owner, kind });
    return holds(expression);
  }
  if (expression.args.length === 1) return addExpression(graph, expression.args[0], owner, kind, isVisible, holds, path);
  const id = path;
  const junction = { id, op: expression.op, holds: false };
  graph.junctions.push(junction);
  graph.edges.push({ from: { kind: 'junction', id }, to: owner, kind });
  const results = expression.args.map((arg, i) =>
    addExpression(graph, arg, { kind: 'junction', id }, kind, isVisible, holds, `${id}.${i}`),
  );
  junction.holds = expression.op === 'and' ? results.every(Boolean) : results.some(Boolean);
  return junction.holds;
}

/** Drops repeated edges (an expression may name one condition twice). */
function uniqueEdges(edges: Graph['edges']): Graph['edges'] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const key = `${e.from.kind}:${e.from.id}>${e.to.kind}:${e.to.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const graphQuery = s.analysisQuery.extend({
  gateLimit: z.coerce
    .number()
    .int()
    .min(1)
    .max(2000)
    .default(300)
    .describe('How many gated objects to draw: the largest ones, by the values they carry'),
});

/** The graph of a model under an analysis, with the `gateLimit` largest gates. */
function buildGraph(loaded: VisibleModel, analysis: Analysis, gateLimit: number, asOf: string | null): Graph {
  const isVisible = (id: string) => loaded.conditions.has(id);
  const holds = (id: string) => analysis.conditions.get(loaded.idInModel(id))?.effective === true;
  const graph: Pick<Graph, 'junctions' | 'edges'> = { junctions: [], edges: [] };
  const conditions = [...loaded.conditions.values()].map((row) => {
    const impact = analysis.conditions.get(row.id)!;
    if (row.requires) addExpression(graph, row.requires, { kind: 'condition', id: row.id }, 'requires', isVisible, holds);
    return { id: row.id, code: row.code, titleEn: row.titleEn, titleAr: row.titleAr, status: impact.status, effective: impact.effective };
  });
  const shown = service.largestFirst(loaded, analysis, [...loaded.gates.keys()]).slice(0, gateLimit);
  const gates = shown.map((id) => {
    const gate = loaded.gates.get(id)!;
    addExpression(graph, gate.expression, { kind: 'gate', id: gate.id }, 'gates', isVisible, holds);
    return {
      id: gate.id,
      subjectType: gate.subject.type,
      subjectId: gate.subject.id,
      label: gate.label ?? null,
      open: analysis.gates.get(id)!.open,
    };
  });
  return {
    asOf,
    conditions,
    gates,
    gatesTotal: loaded.gates.size,
    junctions: graph.junctions,
    hidden: graph.edges.some((e) => e.from.kind === 'hidden'),
    edges: uniqueEdges(graph.edges),
  };
}

/** The current graph, kept with its model per gate limit: the graph moves only when the model does. */
const kept = new WeakMap<VisibleModel, Map<number, Graph>>();

export function graphRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/api/conditions/graph', {
    config: { access: { permission: 'conditions.read' as const } },
    schema: {
      tags: ['conditions'],
      summary:
        'The requirements graph: conditions, the AND/OR requirements between them and the largest gated objects waiting on them; asOf uses the statuses of that date',
      querystring: graphQuery,
      response: { 200: graphSchema, ...problemResponses },
    },
    handler: (req, reply) =>
      run(req, reply, async (ctx) => {
        const { asOf, gateLimit } = req.query;
        const { loaded, analysis } = await service.analysisFor(ctx, asOf);
        if (asOf) return buildGraph(loaded, analysis, gateLimit, asOf);
        const graphs = kept.get(loaded) ?? kept.set(loaded, new Map()).get(loaded)!;
        const graph = graphs.get(gateLimit) ?? buildGraph(loaded, analysis, gateLimit, null);
        graphs.set(gateLimit, graph);
        return graph;
      }),
  });
}
