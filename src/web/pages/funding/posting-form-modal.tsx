import { NativeSelect, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { FormModal } from '../../components/form-modal';
import { fieldErrors } from '../../components/problems';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { useIdempotencyKey } from '../../http/idempotency';
import { useOrganisationOptions } from '../../http/lookups';
import { fundingQueries } from '../../http/queries/funding';
import { localised } from '../conditions/conditions-api';
import { type PostingKind, type Transaction, today, useBudgetLines, useInstruments } from './funding-api';

const PATHS: Record<PostingKind, string> = {
  receipt: 'receipts',
  allocation: 'allocations',
  disbursement: 'disbursements',
  expenditure: 'expenditures',
};
const FIELDS = ['instrumentId', 'amount', 'currency', 'valueDate', 'budgetLineId', 'payeeOrgId', 'reference', 'description', 'trancheId'];

interface Props {
  kind: PostingKind;
  /** A receipt against this tranche of this instrument (fixed in the form). */
  tranche?: { id: string; instrumentId: string; amount: string; currency: string; label: string };
  onClose: () => void;
}

/** Posts a receipt, allocation, disbursement or expenditure, once per submission. */
export function PostingFormModal({ kind, tranche, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const instruments = useInstruments();
  const lines = useBudgetLines();
  const organisations = useOrganisationOptions();
  const keyFor = useIdempotencyKey();
  const { me } = useSession();
  const [instrumentId, setInstrumentId] = useState(tranche?.instrumentId ?? '');
  const [amount, setAmount] = useState(tranche?.amount ?? '');
  const [currency, setCurrency] = useState(tranche?.currency ?? 'USD');
  const [valueDate, setValueDate] = useState(today());
  const [budgetLineId, setBudgetLineId] = useState('');
  // Spending is reported by the organisation that was paid: your own.
  const [payeeOrgId, setPayeeOrgId] = useState(kind === 'expenditure' ? (me?.organisation.id ?? '') : '');
  const [reference, setReference] = useState('');
  const [description, setDescription] = useState('');
  const needsLine = kind !== 'receipt';
  const needsPayee = kind === 'disbursement' || kind === 'expenditure';

  const save = useSaveMutation({
    mutationFn: () => {
      const body = {
        instrumentId,
        amount: amount.trim(),
        currency: currency.trim().toUpperCase(),
        valueDate,
        reference: reference.trim(),
        description: description.trim(),
        ...(needsLine ? { budgetLineId } : {}),
        ...(needsPayee ? { payeeOrgId } : {}),
        ...(tranche ? { trancheId: tranche.id } : {}),
      };
      return api.postOnce<Transaction>(`/api/funding/${PATHS[kind]}`, body, keyFor(body));
    },
    invalidates: [fundingQueries.all],
    notice: () => t(`funding.posting.saved.${kind}`),
    onSaved: onClose,
  });
  const errors = fieldErrors(save.error);
  const pick = (label: string) => [{ value: '', label, disabled: true }];

  return (
    <FormModal
      title={tranche ? t('funding.posting.receiptFor', { tranche: tranche.label }) : t(`funding.posting.title.${kind}`)}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={FIELDS}
      submitLabel={t('funding.posting.submit')}
      submitting={save.isPending}
      submitTestId="posting-submit"
    >
      <NativeSelect
        label={t('funding.instrument')}
        name="instrumentId"
        required
        disabled={Boolean(tranche)}
        data={[
          ...pick(t('funding.choose')),
          ...(instruments.data ?? []).map((i) => ({
            value: i.id,
            label: `${localised(i18n.resolvedLanguage, i.name, i.nameAr)} (${i.donorName})`,
          })),
        ]}
        value={instrumentId}
        onChange={(e) => setInstrumentId(e.currentTarget.value)}
        error={errors.instrumentId}
      />
      {needsLine && (
        <NativeSelect
          label={t('funding.line')}
          name="budgetLineId"
          required
          data={[
            ...pick(t('funding.choose')),
            ...(lines.data ?? []).map((l) => ({ value: l.id, label: `${l.code} ${localised(i18n.resolvedLanguage, l.nameEn, l.nameAr)}` })),
          ]}
          value={budgetLineId}
          onChange={(e) => setBudgetLineId(e.currentTarget.value)}
          error={errors.budgetLineId}
        />
      )}
      {needsPayee && (
        <NativeSelect
          label={t('funding.payee')}
          name="payeeOrgId"
          required
          data={[...pick(t('funding.choose')), ...organisations.options]}
          value={payeeOrgId}
          onChange={(e) => setPayeeOrgId(e.currentTarget.value)}
          error={errors.payeeOrgId}
        />
      )}
      <TextInput
        label={t('funding.amount')}
        name="amount"
        required
        inputMode="decimal"
        dir="ltr"
        value={amount}
        onChange={(e) => setAmount(e.currentTarget.value)}
        error={errors.amount}
        data-autofocus
      />
      <TextInput
        label={t('funding.currency')}
        name="currency"
        required
        maxLength={3}
        dir="ltr"
        disabled={Boolean(tranche)}
        value={currency}
        onChange={(e) => setCurrency(e.currentTarget.value)}
        error={errors.currency}
      />
      <TextInput
        type="date"
        label={t('funding.valueDate')}
        name="valueDate"
        required
        value={valueDate}
        onChange={(e) => setValueDate(e.currentTarget.value)}
        error={errors.valueDate}
      />
      <TextInput
        label={t('funding.reference')}
        name="reference"
        value={reference}
        onChange={(e) => setReference(e.currentTarget.value)}
        error={errors.reference}
      />
      <Textarea
        label={t('funding.description')}
        name="description"
        autosize
        minRows={2}
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
        error={errors.description}
      />
    </FormModal>
  );
}
