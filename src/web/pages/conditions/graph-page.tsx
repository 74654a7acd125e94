/**
 * The requirements graph: conditions, the AND/OR requirements between them, and the gated
 * objects waiting on them, laid out by dagre and drawn by React Flow. This module brings
 * both libraries, so the app loads it only when someone opens the graph.
 */
import '@xyflow/react/dist/style.css';
import { Anchor, Box, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Background, Controls, type Edge, MarkerType, ReactFlow } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { conditionQueries } from '../../http/queries/conditions';
import { useFormat } from '../../i18n/format';
import { CONDITION_STATUSES, localised, STATUS_COLORS } from './conditions-api';
import { type LaidOutNode, layoutGraph } from './graph-layout';
import { GATE_COLORS, type GraphNode, NODE_TYPES, swatch } from './graph-nodes';

function LegendItem({ color, label, round, dashed }: { color: string; label: string; round?: boolean; dashed?: boolean }) {
  return (
    <Group gap={6} wrap="nowrap" component="li">
      <Box w={14} h={14} style={{ ...swatch(color, dashed), borderRadius: round ? '50%' : 3 }} aria-hidden />
      <Text size="xs">{label}</Text>
    </Group>
  );
}

function Legend() {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="xs" component="section" aria-label={t('conditions.graph.legend')} data-testid="graph-legend">
      <Group gap="md" component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {CONDITION_STATUSES.map((s) => (
          <LegendItem key={s} color={STATUS_COLORS[s]} label={t(`conditions.statuses.${s}`)} />
        ))}
        <LegendItem color={GATE_COLORS.open} label={t('conditions.graph.legendGateOpen')} />
        <LegendItem color={GATE_COLORS.blocked} label={t('conditions.graph.legendGateBlocked')} />
        <LegendItem color="teal" round label={t('conditions.graph.legendJunction')} />
        <LegendItem color="gray" dashed label={t('conditions.graph.hidden')} />
      </Group>
    </Paper>
  );
}

/** How a node reads to a screen reader: what it is and its state. */
function ariaLabel(node: LaidOutNode, t: (key: string, options?: Record<string, unknown>) => string, language?: string): string {
  switch (node.kind) {
    case 'condition':
      return t('conditions.graph.conditionLabel', {
        title: localised(language, node.condition.titleEn, node.condition.titleAr),
        status: t(`conditions.statuses.${node.condition.status}`),
      });
    case 'gate':
      return t('conditions.graph.gateLabel', {
        label: node.gate.label ?? t('conditions.graph.unnamed'),
        state: t(`conditions.graph.gate.${node.gate.open ? 'open' : 'blocked'}`),
      });
    case 'junction':
      return t(`conditions.graph.junctionLabel.${node.junction.op}`);
    case 'hidden':
      return t('conditions.graph.hidden');
  }
}

export default function GraphPage() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const [asOf, setAsOf] = useState('');
  const rtl = i18n.dir() === 'rtl';
  const language = i18n.resolvedLanguage;

  const graph = useQuery({ ...conditionQueries.graph(asOf || null), placeholderData: (previous) => previous });

  const { ref: frame, width: frameWidth } = useElementSize();

  const { nodes, edges, size } = useMemo(() => {
    if (!graph.data) return { nodes: [] as GraphNode[], edges: [] as Edge[], size: { width: 0, height: 0 } };
    const laidOut = layoutGraph(graph.data, rtl ? 'rtl' : 'ltr');
    return {
      size: { width: laidOut.width, height: laidOut.height },
      nodes: laidOut.nodes.map(
        (node): GraphNode => ({
          id: node.key,
          type: node.kind,
          position: { x: node.x, y: node.y },
          data: { node, rtl },
          ariaLabel: ariaLabel(node, t, language),
          focusable: false,
          draggable: false,
          selectable: false,
        }),
      ),
      edges: laidOut.edges.map(
        (edge): Edge => ({
          id: edge.key,
          source: edge.source,
          target: edge.target,
          focusable: false,
          style: edge.holds
            ? { stroke: 'var(--mantine-color-teal-filled)', strokeWidth: 2 }
            : { stroke: 'var(--mantine-color-gray-6)', strokeWidth: 1.5, strokeDasharray: '5 4' },
          markerEnd: {
            type: MarkerType.ArrowClosed,
            color: edge.holds ? 'var(--mantine-color-teal-filled)' : 'var(--mantine-color-gray-6)',
          },
        }),
      ),
    };
  }, [graph.data, rtl, t, language]);

  // The drawing is as wide as the page and as tall as it needs to be at that scale (never
  // enlarged), so the page scrolls through it rather than shrinking it to fit the screen.
  const zoom = size.width ? Math.min(1, frameWidth / size.width) : 1;
  const height = Math.max(360, Math.ceil(size.height * zoom) + 24);

  const counts = graph.data && {
    conditions: graph.data.conditions.length,
    open: graph.data.gates.filter((g) => g.open).length,
    gates: graph.data.gates.length,
  };

  return (
    <>
      <Anchor component={Link} to="/conditions" size="sm" mb="xs" display="inline-block" data-testid="back-to-conditions">
        {t('conditions.back')}
      </Anchor>
      <PageHeader title={t('conditions.graph.title')}>
        <TextInput
          type="date"
          label={t('conditions.graph.asOf')}
          value={asOf}
          onChange={(e) => setAsOf(e.currentTarget.value)}
          data-testid="graph-as-of"
          size="xs"
        />
      </PageHeader>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('conditions.graph.intro')}
        </Text>
        <Legend />
        <QueryState isPending={graph.isPending} error={graph.error}>
          {counts && (
            <Text size="sm" data-testid="graph-summary">
              {asOf ? `${t('conditions.graph.asOfShort', { date: format.date(asOf) })} · ` : ''}
              {t('conditions.graph.summary', {
                conditions: format.number(counts.conditions),
                open: format.number(counts.open),
                gates: format.number(counts.gates),
              })}
            </Text>
          )}
          {graph.data && graph.data.gatesTotal > graph.data.gates.length && (
            <Text size="sm" c="dimmed" data-testid="graph-largest">
              {t('conditions.graph.largest', {
                shown: format.number(graph.data.gates.length),
                total: format.number(graph.data.gatesTotal),
              })}
            </Text>
          )}
          <Paper withBorder h={height} dir="ltr" data-testid="requirements-graph" ref={frame}>
            {frameWidth > 0 && (
              <ReactFlow
                key={`${rtl ? 'rtl' : 'ltr'}-${height}`}
                nodes={nodes}
                edges={edges}
                nodeTypes={NODE_TYPES}
                fitView
                fitViewOptions={{ padding: 0.02, maxZoom: 1 }}
                preventScrolling={false}
                zoomOnScroll={false}
                minZoom={0.2}
                maxZoom={2}
                nodesDraggable={false}
                nodesConnectable={false}
                elementsSelectable={false}
                onNodeClick={(_, node) => {
                  if (node.data.node.kind === 'condition') navigate(`/conditions/${node.data.node.condition.id}`);
                }}
                aria-label={t('conditions.graph.ariaLabel')}
                ariaLabelConfig={{
                  'controls.ariaLabel': t('conditions.graph.controls'),
                  'controls.zoomIn.ariaLabel': t('conditions.graph.zoomIn'),
                  'controls.zoomOut.ariaLabel': t('conditions.graph.zoomOut'),
                  'controls.fitView.ariaLabel': t('conditions.graph.fitView'),
                }}
              >
                <Background gap={24} />
                <Controls showInteractive={false} position={rtl ? 'top-right' : 'top-left'} />
              </ReactFlow>
            )}
          </Paper>
        </QueryState>
      </Stack>
    </>
  );
}
