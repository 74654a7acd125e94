import { NativeSelect, SegmentedControl, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormModal } from '../../components/form-modal';
import { fieldErrors } from '../../components/problems';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { stakeholderQueries } from '../../http/queries/conditions';
import { type ConditionListItem, localised } from '../conditions/conditions-api';
import { CLASSIFICATIONS, type Classification } from './stakeholder-form-modal';
import { type Position, STANCES, type Stance, today } from './stakeholders-api';

const FIELDS = ['conditionId', 'topic', 'stance', 'statedOn', 'source', 'sourceUrl', 'note', 'classification'];

interface Props {
  stakeholderId: string;
  conditions: ConditionListItem[];
  onClose: () => void;
}

/** Records a stakeholder's dated stance on a condition or a topic; positions are kept, never changed. */
export function PositionFormModal({ stakeholderId, conditions, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const [about, setAbout] = useState<'condition' | 'topic'>(conditions.length ? 'condition' : 'topic');
  const [conditionId, setConditionId] = useState(conditions[0]?.id ?? '');
  const [topic, setTopic] = useState('');
  const [stance, setStance] = useState<Stance>('supports');
  const [statedOn, setStatedOn] = useState(today());
  const [source, setSource] = useState('');
  const [sourceUrl, setSourceUrl] = useState('');
  const [note, setNote] = useState('');
  const [classification, setClassification] = useState<Classification>('mission');

  const save = useSaveMutation({
    mutationFn: () =>
      api.post<Position>(`/api/stakeholders/${stakeholderId}/positions`, {
        ...(about === 'condition' ? { conditionId } : { topic: topic.trim() }),
        stance,
        statedOn,
        source: source.trim(),
        sourceUrl: sourceUrl.trim() || undefined,
        note: note.trim(),
        classification,
      }),
    invalidates: [stakeholderQueries.all],
    notice: () => t('stakeholders.positions.saved'),
    onSaved: onClose,
  });
  const errors = fieldErrors(save.error);

  return (
    <FormModal
      title={t('stakeholders.positions.record')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={FIELDS}
      submitLabel={t('common.save')}
      submitting={save.isPending}
      submitTestId="position-submit"
    >
      <Stack gap={4}>
        <Text size="sm" fw={500} id="position-about">
          {t('stakeholders.positions.about')}
        </Text>
        <SegmentedControl
          aria-labelledby="position-about"
          value={about}
          onChange={(value) => setAbout(value as 'condition' | 'topic')}
          data={[
            { value: 'condition', label: t('stakeholders.positions.aCondition'), disabled: !conditions.length },
            { value: 'topic', label: t('stakeholders.positions.aTopic') },
          ]}
          data-testid="position-about"
        />
      </Stack>
      {about === 'condition' ? (
        <NativeSelect
          label={t('conditions.condition')}
          name="conditionId"
          required
          data={conditions.map((c) => ({ value: c.id, label: localised(i18n.resolvedLanguage, c.titleEn, c.titleAr) }))}
          value={conditionId}
          onChange={(e) => setConditionId(e.currentTarget.value)}
          error={errors.conditionId}
        />
      ) : (
        <TextInput
          label={t('stakeholders.positions.topic')}
          description={t('stakeholders.positions.topicHint')}
          name="topic"
          required
          value={topic}
          onChange={(e) => setTopic(e.currentTarget.value)}
          error={errors.topic}
        />
      )}
      <NativeSelect
        label={t('stakeholders.positions.stance')}
        name="stance"
        required
        data={STANCES.map((value) => ({ value, label: t(`stakeholders.stances.${value}`) }))}
        value={stance}
        onChange={(e) => setStance(e.currentTarget.value as Stance)}
        error={errors.stance}
      />
      <TextInput
        type="date"
        label={t('stakeholders.positions.statedOn')}
        name="statedOn"
        required
        value={statedOn}
        onChange={(e) => setStatedOn(e.currentTarget.value)}
        error={errors.statedOn}
      />
      <TextInput
        label={t('conditions.evidence.source')}
        description={t('stakeholders.positions.sourceHint')}
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
      <NativeSelect
        label={t('stakeholders.classification')}
        name="classification"
        data={CLASSIFICATIONS.map((value) => ({ value, label: t(`stakeholders.classifications.${value}`) }))}
        value={classification}
        onChange={(e) => setClassification(e.currentTarget.value as Classification)}
        error={errors.classification}
      />
    </FormModal>
  );
}
