/** The ledger page's small dialogs: reverse a transaction, revise a budget line, add a rate. */
import { Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormModal } from '../../components/form-modal';
import { fieldErrors } from '../../components/problems';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { useIdempotencyKey } from '../../http/idempotency';
import { fundingQueries } from '../../http/queries/funding';
import { type BudgetLine, type Rate, type Transaction, today } from './funding-api';

export function ReversalFormModal({ transaction, onClose }: { transaction: Transaction; onClose: () => void }) {
  const { t } = useTranslation();
  const keyFor = useIdempotencyKey();
  const [reason, setReason] = useState('');
  const [valueDate, setValueDate] = useState(today());
  const save = useSaveMutation({
    mutationFn: () => {
      const body = { reason: reason.trim(), valueDate };
      return api.postOnce<Transaction>(`/api/funding/transactions/${transaction.id}/reversal`, body, keyFor(body));
    },
    invalidates: [fundingQueries.all],
    notice: () => t('funding.ledger.reversed'),
    onSaved: onClose,
  });
  const errors = fieldErrors(save.error);
  return (
    <FormModal
      title={t('funding.ledger.reverseTitle', { reference: transaction.reference || transaction.valueDate })}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={['reason', 'valueDate']}
      submitLabel={t('funding.ledger.reverse')}
      submitting={save.isPending}
      submitTestId="reversal-submit"
    >
      <Textarea
        label={t('funding.ledger.reason')}
        name="reason"
        required
        autosize
        minRows={2}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        error={errors.reason}
        data-autofocus
      />
      <TextInput
        type="date"
        label={t('funding.valueDate')}
        name="valueDate"
        value={valueDate}
        onChange={(e) => setValueDate(e.currentTarget.value)}
        error={errors.valueDate}
      />
    </FormModal>
  );
}

export function RevisionFormModal({ line, onClose }: { line: BudgetLine; onClose: () => void }) {
  const { t } = useTranslation();
  const [amountUsd, setAmountUsd] = useState(line.currentUsd);
  const [reason, setReason] = useState('');
  const save = useSaveMutation({
    mutationFn: () =>
      api.post<BudgetLine>(`/api/funding/budget-lines/${line.id}/revisions`, { amountUsd: amountUsd.trim(), reason: reason.trim() }),
    invalidates: [fundingQueries.all],
    notice: () => t('funding.lines.revised'),
    onSaved: onClose,
  });
  const errors = fieldErrors(save.error);
  return (
    <FormModal
      title={t('funding.lines.reviseTitle', { code: line.code })}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={['amountUsd', 'reason']}
      submitLabel={t('common.save')}
      submitting={save.isPending}
      submitTestId="revision-submit"
    >
      <TextInput
        label={t('funding.lines.amountUsd')}
        name="amountUsd"
        required
        dir="ltr"
        inputMode="decimal"
        value={amountUsd}
        onChange={(e) => setAmountUsd(e.currentTarget.value)}
        error={errors.amountUsd}
        data-autofocus
      />
      <Textarea
        label={t('funding.ledger.reason')}
        name="reason"
        required
        autosize
        minRows={2}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        error={errors.reason}
      />
    </FormModal>
  );
}

export function RateFormModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [currency, setCurrency] = useState('');
  const [rateDate, setRateDate] = useState(today());
  const [usdPerUnit, setUsdPerUnit] = useState('');
  const [source, setSource] = useState('');
  const save = useSaveMutation({
    mutationFn: () =>
      api.post<Rate>('/api/funding/rates', {
        currency: currency.trim().toUpperCase(),
        rateDate,
        usdPerUnit: usdPerUnit.trim(),
        source: source.trim(),
      }),
    invalidates: [fundingQueries.rates().queryKey],
    notice: () => t('funding.rates.saved'),
    onSaved: onClose,
  });
  const errors = fieldErrors(save.error);
  return (
    <FormModal
      title={t('funding.rates.add')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={['currency', 'rateDate', 'usdPerUnit', 'source']}
      submitLabel={t('common.save')}
      submitting={save.isPending}
      submitTestId="rate-submit"
    >
      <TextInput
        label={t('funding.currency')}
        name="currency"
        required
        maxLength={3}
        dir="ltr"
        value={currency}
        onChange={(e) => setCurrency(e.currentTarget.value)}
        error={errors.currency}
        data-autofocus
      />
      <TextInput
        type="date"
        label={t('funding.rates.date')}
        name="rateDate"
        required
        value={rateDate}
        onChange={(e) => setRateDate(e.currentTarget.value)}
        error={errors.rateDate}
      />
      <TextInput
        label={t('funding.rates.usdPerUnit')}
        name="usdPerUnit"
        required
        dir="ltr"
        inputMode="decimal"
        value={usdPerUnit}
        onChange={(e) => setUsdPerUnit(e.currentTarget.value)}
        error={errors.usdPerUnit}
      />
      <TextInput
        label={t('funding.rates.source')}
        name="source"
        required
        value={source}
        onChange={(e) => setSource(e.currentTarget.value)}
        error={errors.source}
      />
    </FormModal>
  );
}
