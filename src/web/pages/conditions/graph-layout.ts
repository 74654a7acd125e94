/**
 * Turns the requirements graph from the API into positioned nodes and edges. Dagre ranks
 * the nodes so that everything flows one way: what is needed first, what needs it after,
 * with the gated objects last. In Arabic the flow runs from right to left.
 */
import dagre from '@dagrejs/dagre';

export type ConditionStatus = 'unmet' | 'partially_met' | 'met' | 'failed' | 'waived';

interface Ref {
  kind: string;
  id: string;
}

/** GET /api/conditions/graph. */
export interface RequirementsGraph {
  asOf: string | null;
  conditions: { id: string; code: string; titleEn: string; titleAr: string; status: ConditionStatus; effective: boolean }[];
  gates: { id: string; subjectType: string; subjectId: string; label: string | null; open: boolean }[];
  /** How many gated objects the caller may see in all; the largest are drawn. */
  gatesTotal: number;
  junctions: { id: string; op: 'and' | 'or'; holds: boolean }[];
  hidden: boolean;
  edges: { from: Ref; to: Ref; kind: 'requires' | 'gates' }[];
}

export type LaidOutNode =
  | { key: string; kind: 'condition'; x: number; y: number; condition: RequirementsGraph['conditions'][number] }
  | { key: string; kind: 'gate'; x: number; y: number; gate: RequirementsGraph['gates'][number] }
  | { key: string; kind: 'junction'; x: number; y: number; junction: RequirementsGraph['junctions'][number] }
  | { key: string; kind: 'hidden'; x: number; y: number };

export interface LaidOutEdge {
  key: string;
  source: string;
  target: string;
  /** The input holds: a condition in effect, or a junction that holds. */
  holds: boolean;
}

export const NODE_SIZE = {
  condition: { width: 230, height: 70 },
  gate: { width: 250, height: 70 },
  junction: { width: 46, height: 46 },
  hidden: { width: 200, height: 56 },
} as const;

export const nodeKey = (ref: Ref) => `${ref.kind}:${ref.id}`;

/**
 * Junctions that join the same inputs in the same way are drawn once: in the scenario,
 * several commitments wait on the same "mandate AND consent", and one AND node feeding
 * them all reads better than one per commitment. Returns the graph with each junction
 * replaced by the first of its kind.
 */
export function mergeSameJunctions(graph: RequirementsGraph): RequirementsGraph {
  const inputs = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.to.kind !== 'junction') continue;
    inputs.set(e.to.id, [...(inputs.get(e.to.id) ?? []), nodeKey(e.from)]);
  }
  const ops = new Map(graph.junctions.map((j) => [j.id, j.op]));
  const signatures = new Map<string, string>();
  // Junctions nest only as deep as expressions do (a handful of levels).
  const signature = (id: string): string => {
    const known = signatures.get(id);
    if (known) return known;
    const parts = (inputs.get(id) ?? []).map((key) => (key.startsWith('junction:') ? `(${signature(key.slice(9))})` : key)).sort();
    const result = `${ops.get(id)}[${parts.join(',')}]`;
    signatures.set(id, result);
    return result;
  };
  const first = new Map<string, string>();
  const canonical = new Map<string, string>();
  for (const j of graph.junctions) {
    const sig = signature(j.id);
    if (!first.has(sig)) first.set(sig, j.id);
    canonical.set(j.id, first.get(sig)!);
  }
  const rename = <T extends Ref>(ref: T): T => (ref.kind === 'junction' ? { ...ref, id: canonical.get(ref.id) ?? ref.id } : ref);
  const seen = new Set<string>();
  return {
    ...graph,
    junctions: graph.junctions.filter((j) => canonical.get(j.id) === j.id),
    edges: graph.edges
      .map((e) => ({ ...e, from: rename(e.from), to: rename(e.to) }))
      .filter((e) => {
        const key = `${nodeKey(e.from)}>${nodeKey(e.to)}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
  };
}

/** Positions are the top-left corners React Flow expects; width and height are the whole drawing's. */
export function layoutGraph(
  input: RequirementsGraph,
  direction: 'ltr' | 'rtl',
): { nodes: LaidOutNode[]; edges: LaidOutEdge[]; width: number; height: number } {
  const graph = mergeSameJunctions(input);
  const nodes: LaidOutNode[] = [
    ...graph.conditions.map((condition) => ({
      key: nodeKey({ kind: 'condition', id: condition.id }),
      kind: 'condition' as const,
      x: 0,
      y: 0,
      condition,
    })),
    ...graph.junctions.map((junction) => ({
      key: nodeKey({ kind: 'junction', id: junction.id }),
      kind: 'junction' as const,
      x: 0,
      y: 0,
      junction,
    })),
    ...graph.gates.map((gate) => ({ key: nodeKey({ kind: 'gate', id: gate.id }), kind: 'gate' as const, x: 0, y: 0, gate })),
    ...(graph.hidden ? [{ key: 'hidden:hidden', kind: 'hidden' as const, x: 0, y: 0 }] : []),
  ];
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const holds = (key: string) => {
    const node = byKey.get(key);
    if (node?.kind === 'condition') return node.condition.effective;
    if (node?.kind === 'junction') return node.junction.holds;
    return false;
  };
  const edges: LaidOutEdge[] = graph.edges
    .map((e) => ({ source: nodeKey(e.from), target: nodeKey(e.to) }))
    .filter((e) => byKey.has(e.source) && byKey.has(e.target))
    .map((e) => ({ ...e, key: `${e.source}>${e.target}`, holds: holds(e.source) }));

  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: direction === 'rtl' ? 'RL' : 'LR', nodesep: 14, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.key, { ...NODE_SIZE[node.kind] });
  // A gate fed straight by a condition skips the junctions' column, so gated objects line
  // up on the far side instead of sitting among the junctions where edges would pass
  // behind them (React Flow draws edges as plain curves, not along dagre's routes).
  for (const edge of edges) {
    const direct = edge.target.startsWith('gate:') && !edge.source.startsWith('junction:');
    g.setEdge(edge.source, edge.target, { minlen: direct ? 2 : 1 });
  }
  dagre.layout(g);
  for (const node of nodes) {
    const placed = g.node(node.key);
    const size = NODE_SIZE[node.kind];
    node.x = placed.x - size.width / 2;
    node.y = placed.y - size.height / 2;
  }
  const { width = 0, height = 0 } = g.graph();
  return { nodes, edges, width, height };
}
