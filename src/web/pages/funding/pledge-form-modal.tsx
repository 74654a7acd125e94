import { ActionIcon, Button, Card, Group, MultiSelect, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { FormModal } from '../../components/form-modal';
import { fieldErrors } from '../../components/problems';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { useIdempotencyKey } from '../../http/idempotency';
import { conditionQueries } from '../../http/queries/conditions';
import { fundingQueries } from '../../http/queries/funding';
import { localised } from '../conditions/conditions-api';
import { type Expression, type Pledge, today, useInstruments } from './funding-api';

interface TrancheDraft {
  amount: string;
  expectedOn: string;
  conditionIds: string[];
}

const FIELDS = ['instrumentId', 'title', 'amount', 'currency', 'pledgedOn', 'tranches'];

/** Every chosen condition must hold: the AND of them, or the one, or no gate. */
function gateOf(ids: string[]): Expression | null {
  if (ids.length === 0) return null;
  return ids.length === 1 ? ids[0] : { op: 'and', args: ids };
}

/** Records a pledge split into tranches, each released when its chosen conditions are met. */
export function PledgeFormModal({ onClose }: { onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const language = i18n.resolvedLanguage;
  const instruments = useInstruments();
  const conditions = useQuery(conditionQueries.list());
  const keyFor = useIdempotencyKey();
  const [instrumentId, setInstrumentId] = useState('');
  const [title, setTitle] = useState('');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [pledgedOn, setPledgedOn] = useState(today());
  const [tranches, setTranches] = useState<TrancheDraft[]>([{ amount: '', expectedOn: '', conditionIds: [] }]);
  const change = (i: number, patch: Partial<TrancheDraft>) =>
    setTranches((all) => all.map((tr, j) => (j === i ? { ...tr, ...patch } : tr)));

  const save = useSaveMutation({
    mutationFn: () => {
      const body = {
        instrumentId,
        title: title.trim(),
        amount: amount.trim(),
        currency: currency.trim().toUpperCase(),
        pledgedOn,
        tranches: tranches.map((tr) => ({
          amount: tr.amount.trim(),
          expectedOn: tr.expectedOn || null,
          gate: gateOf(tr.conditionIds),
        })),
      };
      return api.postOnce<Pledge>('/api/funding/pledges', body, keyFor(body));
    },
    invalidates: [fundingQueries.all, conditionQueries.all],
    notice: () => t('funding.pledges.saved'),
    onSaved: () => undefined,
  });
  const errors = fieldErrors(save.error);
  const trancheErrors = (i: number) => {
    const prefix = `/tranches/${i}/`;
    const problem = save.error as { problem?: { errors?: { pointer: string; detail: string }[] } } | null;
    return Object.fromEntries(
      (problem?.problem?.errors ?? [])
        .filter((e) => e.pointer.startsWith(prefix))
        .map((e) => [e.pointer.slice(prefix.length).split('/')[0], e.detail]),
    );
  };
  const conditionOptions = (conditions.data?.items ?? []).map((c) => ({
    value: c.id,
    label: `${c.code}: ${localised(language, c.titleEn, c.titleAr)}`,
  }));

  return (
    <FormModal
      title={t('funding.pledges.record')}
      size="lg"
      onClose={onClose}
      onSubmit={() =>
        save.mutate(undefined, {
          onSuccess: (pledge) => {
            onClose();
            navigate(`/funding/pledges/${pledge.id}`);
          },
        })
      }
      error={save.error}
      fields={FIELDS}
      submitLabel={t('common.save')}
      submitting={save.isPending}
      submitTestId="pledge-submit"
    >
      <NativeSelect
        label={t('funding.instrument')}
        name="instrumentId"
        required
        data={[
          { value: '', label: t('funding.choose'), disabled: true },
          ...(instruments.data ?? []).map((i) => ({ value: i.id, label: `${localised(language, i.name, i.nameAr)} (${i.donorName})` })),
        ]}
        value={instrumentId}
        onChange={(e) => setInstrumentId(e.currentTarget.value)}
        error={errors.instrumentId}
      />
      <TextInput
        label={t('funding.pledges.pledgeTitle')}
        name="title"
        required
        value={title}
        onChange={(e) => setTitle(e.currentTarget.value)}
        error={errors.title}
      />
      <Group grow align="flex-start">
        <TextInput
          label={t('funding.amount')}
          name="amount"
          required
          inputMode="decimal"
          dir="ltr"
          value={amount}
          onChange={(e) => setAmount(e.currentTarget.value)}
          error={errors.amount}
        />
        <TextInput
          label={t('funding.currency')}
          name="currency"
          required
          maxLength={3}
          dir="ltr"
          value={currency}
          onChange={(e) => setCurrency(e.currentTarget.value)}
          error={errors.currency}
        />
        <TextInput
          type="date"
          label={t('funding.pledges.pledgedOn')}
          name="pledgedOn"
          required
          value={pledgedOn}
          onChange={(e) => setPledgedOn(e.currentTarget.value)}
          error={errors.pledgedOn}
        />
      </Group>
      <Stack gap="xs">
        <Text fw={500} size="sm">
          {t('funding.pledges.tranches')}
        </Text>
        <Text size="xs" c="dimmed">
          {t('funding.pledges.tranchesHint')}
        </Text>
        {errors.tranches && (
          <Text size="sm" c="red">
            {errors.tranches}
          </Text>
        )}
        {tranches.map((tr, i) => {
          const own = trancheErrors(i);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: drafts have no identity but their place
            <Card withBorder padding="xs" key={i} data-testid={`tranche-draft-${i}`}>
              <Group align="flex-end" wrap="nowrap">
                <TextInput
                  label={t('funding.pledges.trancheAmount', { n: i + 1 })}
                  name={`tranches.${i}.amount`}
                  required
                  inputMode="decimal"
                  dir="ltr"
                  value={tr.amount}
                  onChange={(e) => change(i, { amount: e.currentTarget.value })}
                  error={own.amount}
                />
                <TextInput
                  type="date"
                  label={t('funding.pledges.expectedOn')}
                  name={`tranches.${i}.expectedOn`}
                  value={tr.expectedOn}
                  onChange={(e) => change(i, { expectedOn: e.currentTarget.value })}
                  error={own.expectedOn}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  size="lg"
                  disabled={tranches.length === 1}
                  onClick={() => setTranches((all) => all.filter((_, j) => j !== i))}
                  aria-label={t('funding.pledges.removeTranche', { n: i + 1 })}
                >
                  ×
                </ActionIcon>
              </Group>
              <MultiSelect
                mt="xs"
                label={t('funding.pledges.gate')}
                description={t('funding.pledges.gateHint')}
                placeholder={tr.conditionIds.length ? undefined : t('funding.pledges.noGate')}
                data={conditionOptions}
                value={tr.conditionIds}
                onChange={(value) => change(i, { conditionIds: value })}
                searchable
                clearable
                error={own.gate}
                data-testid={`tranche-gate-${i}`}
              />
            </Card>
          );
        })}
        <Button
          variant="light"
          onClick={() => setTranches((all) => [...all, { amount: '', expectedOn: '', conditionIds: [] }])}
          data-testid="tranche-add"
        >
          {t('funding.pledges.addTranche')}
        </Button>
      </Stack>
    </FormModal>
  );
}
