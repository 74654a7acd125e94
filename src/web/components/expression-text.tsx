import { Anchor, Badge, Text } from '@mantine/core';
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/** A gate or a condition's requirements: condition ids under AND/OR; "hidden" is a condition the reader cannot see. */
export type Expression = string | { op: 'and' | 'or'; args: Expression[] };

export const HIDDEN_CONDITION = 'hidden';

/**
 * An expression as text: each condition by its code (a link to it), AND and OR in the
 * reader's language, and a condition they may not see as "a condition you cannot see".
 * Codes are Latin, so each one keeps left-to-right inside an Arabic sentence.
 */
export function ExpressionText({ expression, codeOf }: { expression: Expression; codeOf: (id: string) => string | undefined }) {
  const { t } = useTranslation();
  const render = (node: Expression, nested: boolean): ReactNode => {
    if (typeof node === 'string') {
      if (node === HIDDEN_CONDITION)
        return (
          <Badge variant="outline" color="gray" size="sm" tt="none" fw={400} data-testid="expression-hidden">
            {t('expression.hidden')}
          </Badge>
        );
      return (
        <Anchor component={Link} to={`/conditions/${node}`} size="sm" dir="ltr" data-testid={`expression-condition-${node}`}>
          {codeOf(node) ?? node.slice(0, 8)}
        </Anchor>
      );
    }
    const parts = node.args.map((arg, i) => (
      // biome-ignore lint/suspicious/noArrayIndexKey: an argument's place in the expression is its identity; the text is drawn whole.
      <Fragment key={i}>
        {i > 0 && (
          <>
            {' '}
            <Text span size="sm" fw={600}>
              {t(node.op === 'and' ? 'expression.and' : 'expression.or')}
            </Text>{' '}
          </>
        )}
        {render(arg, true)}
      </Fragment>
    ));
    return nested && node.args.length > 1 ? <>({parts})</> : parts;
  };
  return (
    <Text span size="sm" data-testid="expression" style={{ lineHeight: 2 }}>
      {render(expression, false)}
    </Text>
  );
}
