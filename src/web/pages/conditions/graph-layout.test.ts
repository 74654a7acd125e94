import { describe, expect, it } from 'vitest';
import { layoutGraph, mergeSameJunctions, NODE_SIZE, type RequirementsGraph } from './graph-layout';

const condition = (id: string, effective = false) => ({
  id,
  code: id,
  titleEn: id,
  titleAr: id,
  status: effective ? ('met' as const) : ('unmet' as const),
  effective,
});
const gate = (id: string, open = false) => ({ id, subjectType: 'commitment', subjectId: id, label: id, open });
const edge = (from: [string, string], to: [string, string], kind: 'requires' | 'gates' = 'gates') => ({
  from: { kind: from[0], id: from[1] },
  to: { kind: to[0], id: to[1] },
  kind,
});

// Two commitments wait on "mandate AND consent"; a third on "mandate AND (consent OR vetting)".
const graph: RequirementsGraph = {
  asOf: null,
  conditions: [condition('mandate', true), condition('consent'), condition('vetting')],
  gates: [gate('g1'), gate('g2'), gate('g3')],
  gatesTotal: 3,
  junctions: [
    { id: 'gate:g1', op: 'and', holds: false },
    { id: 'gate:g2', op: 'and', holds: false },
    { id: 'gate:g3', op: 'and', holds: false },
    { id: 'gate:g3.1', op: 'or', holds: false },
  ],
  hidden: false,
  edges: [
    edge(['junction', 'gate:g1'], ['gate', 'g1']),
    edge(['condition', 'mandate'], ['junction', 'gate:g1']),
    edge(['condition', 'consent'], ['junction', 'gate:g1']),
    edge(['junction', 'gate:g2'], ['gate', 'g2']),
    edge(['condition', 'consent'], ['junction', 'gate:g2']),
    edge(['condition', 'mandate'], ['junction', 'gate:g2']),
    edge(['junction', 'gate:g3'], ['gate', 'g3']),
    edge(['condition', 'mandate'], ['junction', 'gate:g3']),
    edge(['junction', 'gate:g3.1'], ['junction', 'gate:g3']),
    edge(['condition', 'consent'], ['junction', 'gate:g3.1']),
    edge(['condition', 'vetting'], ['junction', 'gate:g3.1']),
  ],
};

describe('the requirements graph layout', () => {
  it('draws junctions joining the same inputs the same way once, feeding every gate that waits on them', () => {
    const merged = mergeSameJunctions(graph);
    expect(merged.junctions.map((j) => j.id)).toEqual(['gate:g1', 'gate:g3', 'gate:g3.1']);
    const into = (id: string) => merged.edges.filter((e) => e.to.id === id).map((e) => `${e.from.kind}:${e.from.id}`);
    expect(into('g1')).toEqual(['junction:gate:g1']);
    expect(into('g2')).toEqual(['junction:gate:g1']);
    expect(into('gate:g1').sort()).toEqual(['condition:consent', 'condition:mandate']);
    // The nested OR makes the third expression different: it keeps its own junctions.
    expect(into('g3')).toEqual(['junction:gate:g3']);
  });

  it('runs from what is needed to what needs it, left to right in English and right to left in Arabic', () => {
    for (const direction of ['ltr', 'rtl'] as const) {
      const { nodes, edges, width, height } = layoutGraph(graph, direction);
      expect(width).toBeGreaterThan(0);
      expect(height).toBeGreaterThan(0);
      const x = new Map(nodes.map((n) => [n.key, n.x]));
      for (const e of edges) {
        if (direction === 'ltr') expect(x.get(e.source)!, `${e.key}`).toBeLessThan(x.get(e.target)!);
        else expect(x.get(e.source)!, `${e.key}`).toBeGreaterThan(x.get(e.target)!);
      }
    }
  });

  it('marks the edges whose input holds', () => {
    const { edges } = layoutGraph(graph, 'ltr');
    const holds = Object.fromEntries(edges.map((e) => [e.key, e.holds]));
    expect(holds['condition:mandate>junction:gate:g1']).toBe(true);
    expect(holds['condition:consent>junction:gate:g1']).toBe(false);
    expect(holds['junction:gate:g1>gate:g1']).toBe(false);
  });

  it('no two nodes overlap', () => {
    const { nodes } = layoutGraph({ ...graph, hidden: true, edges: [...graph.edges, edge(['hidden', 'hidden'], ['gate', 'g3'])] }, 'ltr');
    expect(nodes.some((n) => n.kind === 'hidden')).toBe(true);
    for (const a of nodes)
      for (const b of nodes) {
        if (a === b) continue;
        const { width: aw, height: ah } = NODE_SIZE[a.kind];
        const { width: bw, height: bh } = NODE_SIZE[b.kind];
        const apart = a.x + aw <= b.x || b.x + bw <= a.x || a.y + ah <= b.y || b.y + bh <= a.y;
        expect(apart, `${a.key} and ${b.key}`).toBe(true);
      }
  });
});
