import { NativeSelect, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormModal } from '../../components/form-modal';
import { fieldErrors } from '../../components/problems';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { conditionQueries } from '../../http/queries/conditions';
import { CONDITION_STATUSES, type ConditionStatus, type Evidence } from './conditions-api';

const FIELDS = ['datedOn', 'status', 'source', 'sourceUrl', 'note'];

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Records dated evidence for a condition; the latest evidence sets its status. */
export function EvidenceFormModal({ conditionId, status, onClose }: { conditionId: string; status: ConditionStatus; onClose: () => void }) {
  const { t } = useTranslation();
  const [datedOn, setDatedOn] = useState(today());
  const [newStatus, setNewStatus] = useState<ConditionStatus>(status);
  const [source, setSource] = useState('');
  const [sourceUrl, setSourceUrl] = useState('');
  const [note, setNote] = useState('');

  const save = useSaveMutation({
    mutationFn: () =>
      api.post<Evidence>(`/api/conditions/${conditionId}/evidence`, {
        datedOn,
        status: newStatus,
        source: source.trim(),
        sourceUrl: sourceUrl.trim() || undefined,
        note: note.trim(),
      }),
    // The list, this condition, the ranking and the what-if all depend on the statuses.
    invalidates: [conditionQueries.all],
    notice: () => t('conditions.evidence.saved'),
    onSaved: onClose,
  });
  const errors = fieldErrors(save.error);

  return (
    <FormModal
      title={t('conditions.evidence.record')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={FIELDS}
      submitLabel={t('common.save')}
      submitting={save.isPending}
      submitTestId="evidence-submit"
    >
      <TextInput
        type="date"
        label={t('conditions.evidence.date')}
        name="datedOn"
        required
        value={datedOn}
        onChange={(e) => setDatedOn(e.currentTarget.value)}
        error={errors.datedOn}
        data-autofocus
      />
      <NativeSelect
        label={t('conditions.status')}
        name="status"
        required
        data={CONDITION_STATUSES.map((value) => ({ value, label: t(`conditions.statuses.${value}`) }))}
        value={newStatus}
        onChange={(e) => setNewStatus(e.currentTarget.value as ConditionStatus)}
        error={errors.status}
      />
      <TextInput
        label={t('conditions.evidence.source')}
        description={t('conditions.evidence.sourceHint')}
        name="source"
        required
        value={source}
        onChange={(e) => setSource(e.currentTarget.value)}
        error={errors.source}
      />
      <TextInput
        type="url"
        label={t('conditions.evidence.link')}
        name="sourceUrl"
        dir="ltr"
        value={sourceUrl}
        onChange={(e) => setSourceUrl(e.currentTarget.value)}
        error={errors.sourceUrl}
      />
      <Textarea
        label={t('conditions.evidence.note')}
        name="note"
        autosize
        minRows={2}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        error={errors.note}
      />
    </FormModal>
  );
}
