/** The long pole's two measures, in the chart and its legend alike. */
export const BAR_COLORS = { withOthers: '#74c0fc', alone: '#1864ab' } as const;
