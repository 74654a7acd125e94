import { ActionIcon, Button, Group, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useSession } from '../../auth/session';
import { FormModal } from '../../components/form-modal';
import { fieldErrors, notifySuccess } from '../../components/problems';
import { api } from '../../http/api-client';
import { useAllOrganisations } from '../../http/lookups';
import { claimQueries, fundingQueries } from '../../http/queries/funding';
import type { ClaimDetail, EquipmentLine } from './claims-api';

const FIELDS = ['countryOrgId', 'contingent', 'month', 'instrumentId', 'budgetLineId', 'personnelDays', 'equipment'];

/** Drafts a claim: personnel-days left empty are taken from the strength figures. */
export function DraftClaimModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const navigate = useNavigate();
  const actsForOthers = can('funding.post') && me?.organisation.type !== 'contributing_country';
  const organisations = useAllOrganisations();
  const instruments = useQuery(fundingQueries.instruments());
  const lines = useQuery(fundingQueries.budgetLines());
  const [countryOrgId, setCountry] = useState<string | null>(null);
  const [contingent, setContingent] = useState('');
  const [month, setMonth] = useState('');
  const [instrumentId, setInstrument] = useState<string | null>(null);
  const [budgetLineId, setLine] = useState<string | null>(null);
  const [personnelDays, setDays] = useState<number | string>('');
  const [equipment, setEquipment] = useState<EquipmentLine[]>([]);

  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () =>
      api.post<ClaimDetail>('/api/funding/claims', {
        ...(actsForOthers && countryOrgId ? { countryOrgId } : {}),
        contingent,
        month,
        instrumentId,
        budgetLineId,
        ...(personnelDays === '' ? {} : { personnelDays: Number(personnelDays) }),
        equipment,
      }),
    // The new claim opens on its own page, where it can be submitted.
    onSuccess: (claim) => {
      void queryClient.invalidateQueries({ queryKey: claimQueries.all });
      notifySuccess(t('claims.draft.saved'));
      onClose();
      navigate(`/funding/claims/${claim.id}`);
    },
  });
  const errors = fieldErrors(save.error);
  const setLineField = (i: number, patch: Partial<EquipmentLine>) =>
    setEquipment((all) => all.map((line, j) => (j === i ? { ...line, ...patch } : line)));

  return (
    <FormModal
      title={t('claims.draft.title')}
      size="lg"
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={FIELDS}
      submitLabel={t('claims.draft.submit')}
      submitting={save.isPending}
      submitTestId="draft-claim-submit"
    >
      {actsForOthers && (
        <Select
          label={t('claims.country')}
          data={(organisations.data ?? []).filter((o) => o.type === 'contributing_country').map((o) => ({ value: o.id, label: o.name }))}
          value={countryOrgId}
          onChange={setCountry}
          error={errors.countryOrgId}
          searchable
        />
      )}
      <Group grow>
        <TextInput
          label={t('claims.contingent')}
          value={contingent}
          onChange={(e) => setContingent(e.currentTarget.value)}
          error={errors.contingent}
          required
        />
        <TextInput
          label={t('claims.month')}
          description={t('claims.monthHint')}
          placeholder="2026-04"
          value={month}
          onChange={(e) => setMonth(e.currentTarget.value)}
          error={errors.month}
          dir="ltr"
          required
        />
      </Group>
      <Select
        label={t('claims.instrument')}
        data={(instruments.data ?? []).map((i) => ({ value: i.id, label: `${i.name} (USD ${i.reimbursementRateUsd})` }))}
        value={instrumentId}
        onChange={setInstrument}
        error={errors.instrumentId}
        required
      />
      <Select
        label={t('claims.budgetLine')}
        data={(lines.data ?? []).map((l) => ({ value: l.id, label: `${l.code} — ${l.nameEn}` }))}
        value={budgetLineId}
        onChange={setLine}
        error={errors.budgetLineId}
        required
      />
      <NumberInput
        label={t('claims.personnelDays')}
        description={t('claims.personnelDaysHint')}
        value={personnelDays}
        onChange={setDays}
        min={0}
        allowDecimal={false}
        error={errors.personnelDays}
      />
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          {t('claims.equipment.title')}
        </Text>
        {equipment.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the lines have no identity until saved
          <Group key={i} align="end" wrap="nowrap">
            <TextInput
              label={t('claims.equipment.description')}
              value={line.description}
              onChange={(e) => setLineField(i, { description: e.currentTarget.value })}
              style={{ flex: 2 }}
            />
            <Select
              label={t('claims.equipment.lease')}
              data={[
                { value: 'wet', label: t('claims.equipment.wet') },
                { value: 'dry', label: t('claims.equipment.dry') },
              ]}
              value={line.lease}
              onChange={(v) => setLineField(i, { lease: (v ?? 'wet') as 'wet' | 'dry' })}
              allowDeselect={false}
              w={110}
            />
            <NumberInput
              label={t('claims.equipment.quantity')}
              value={line.quantity}
              onChange={(v) => setLineField(i, { quantity: Number(v) || 0 })}
              min={1}
              allowDecimal={false}
              w={90}
            />
            <TextInput
              label={t('claims.equipment.monthlyRate')}
              value={line.monthlyRateUsd}
              onChange={(e) => setLineField(i, { monthlyRateUsd: e.currentTarget.value })}
              dir="ltr"
              w={130}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t('claims.equipment.remove')}
              onClick={() => setEquipment((all) => all.filter((_, j) => j !== i))}
              mb={4}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        {errors.equipment && (
          <Text size="xs" c="red">
            {errors.equipment}
          </Text>
        )}
        <Button
          variant="light"
          size="xs"
          w="fit-content"
          onClick={() => setEquipment((all) => [...all, { description: '', lease: 'wet', quantity: 1, monthlyRateUsd: '' }])}
        >
          {t('claims.equipment.add')}
        </Button>
      </Stack>
    </FormModal>
  );
}
