/**
 * The node shapes of the requirements graph: conditions (coloured by status, each a link to
 * its page), AND/OR junctions, gated objects (open or blocked) and the one node standing
 * for conditions the reader may not see. Every node carries its state in data-status.
 */
import { Anchor, Text } from '@mantine/core';
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import type { CSSProperties, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { localised, STATUS_COLORS } from './conditions-api';
import { type LaidOutNode, NODE_SIZE } from './graph-layout';

export type GraphNode = Node<{ node: LaidOutNode; rtl: boolean }>;

export const GATE_COLORS = { open: 'green', blocked: 'orange' } as const;

/** The tint and border of a Mantine colour, as the nodes and the legend draw it. */
export function swatch(color: string, dashed = false): CSSProperties {
  return {
    background: `var(--mantine-color-${color}-light)`,
    border: `2px ${dashed ? 'dashed' : 'solid'} var(--mantine-color-${color}-filled)`,
  };
}

const hiddenHandle: CSSProperties = { opacity: 0, pointerEvents: 'none' };

/** Inputs come in on the side the flow comes from, and leave on the other. */
function Handles({ rtl, input = true, output = true }: { rtl: boolean; input?: boolean; output?: boolean }) {
  return (
    <>
      {input && <Handle type="target" position={rtl ? Position.Right : Position.Left} style={hiddenHandle} isConnectable={false} />}
      {output && <Handle type="source" position={rtl ? Position.Left : Position.Right} style={hiddenHandle} isConnectable={false} />}
    </>
  );
}

function Box({
  kind,
  children,
  style,
  ...rest
}: { kind: keyof typeof NODE_SIZE; children: ReactNode; style: CSSProperties } & Record<string, unknown>) {
  const { i18n } = useTranslation();
  return (
    <div
      dir={i18n.dir()}
      style={{
        ...NODE_SIZE[kind],
        boxSizing: 'border-box',
        borderRadius: 8,
        padding: '6px 10px',
        overflow: 'hidden',
        color: 'var(--mantine-color-text)',
        ...style,
      }}
      {...rest}
    >
      {children}
    </div>
  );
}

function ConditionNode({ data }: NodeProps<GraphNode>) {
  const { t, i18n } = useTranslation();
  if (data.node.kind !== 'condition') return null;
  const c = data.node.condition;
  const title = localised(i18n.resolvedLanguage, c.titleEn, c.titleAr);
  return (
    <Box
      kind="condition"
      style={swatch(STATUS_COLORS[c.status])}
      data-testid={`graph-condition-${c.id}`}
      data-status={c.status}
      data-code={c.code}
    >
      <Handles rtl={data.rtl} />
      <Anchor
        component={Link}
        to={`/conditions/${c.id}`}
        size="xs"
        fw={600}
        lineClamp={2}
        c="var(--mantine-color-text)"
        className="nodrag"
        title={title}
      >
        {title}
      </Anchor>
      <Text size="xs" c="dimmed">
        {t(`conditions.statuses.${c.status}`)}
        {c.effective || !['met', 'waived'].includes(c.status) ? '' : ` · ${t('conditions.graph.requirementUnmet')}`}
      </Text>
    </Box>
  );
}

function JunctionNode({ data }: NodeProps<GraphNode>) {
  const { t } = useTranslation();
  if (data.node.kind !== 'junction') return null;
  const j = data.node.junction;
  return (
    <Box
      kind="junction"
      style={{ ...swatch(j.holds ? 'teal' : 'gray'), borderRadius: '50%', padding: 0, display: 'grid', placeItems: 'center' }}
      data-testid="graph-junction"
      data-op={j.op}
      data-status={j.holds ? 'holds' : 'not_holds'}
    >
      <Handles rtl={data.rtl} />
      <Text size="xs" fw={700}>
        {t(`conditions.graph.${j.op}`)}
      </Text>
    </Box>
  );
}

function GateNode({ data }: NodeProps<GraphNode>) {
  const { t } = useTranslation();
  if (data.node.kind !== 'gate') return null;
  const g = data.node.gate;
  const state = g.open ? 'open' : 'blocked';
  return (
    <Box
      kind="gate"
      style={{ ...swatch(GATE_COLORS[state]), borderRadius: 2 }}
      data-testid={`graph-gate-${g.id}`}
      data-subject-id={g.subjectId}
      data-status={state}
    >
      <Handles rtl={data.rtl} output={false} />
      <Text size="xs" fw={600} lineClamp={2} lang="en" dir="auto">
        {g.label ?? t('conditions.graph.unnamed')}
      </Text>
      <Text size="xs" c="dimmed">
        {t(`conditions.graph.subjects.${g.subjectType}`, { defaultValue: g.subjectType })} · {t(`conditions.graph.gate.${state}`)}
      </Text>
    </Box>
  );
}

function HiddenNode({ data }: NodeProps<GraphNode>) {
  const { t } = useTranslation();
  return (
    <Box kind="hidden" style={swatch('gray', true)} data-testid="graph-hidden" data-status="unmet">
      <Handles rtl={data.rtl} input={false} />
      <Text size="xs">{t('conditions.graph.hidden')}</Text>
    </Box>
  );
}

export const NODE_TYPES = { condition: ConditionNode, junction: JunctionNode, gate: GateNode, hidden: HiddenNode };
