import { NativeSelect, TextInput } from '@mantine/core';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { FormModal } from '../../components/form-modal';
import { fieldErrors } from '../../components/problems';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { stakeholderQueries } from '../../http/queries/conditions';
import { organisationName } from '../organisations/organisation-labels';
import { STAKEHOLDER_KINDS, type StakeholderKind, type StakeholderRecord, useOrganisations } from './stakeholders-api';

const FIELDS = ['name', 'nameAr', 'kind', 'organisationId', 'classification'];
export const CLASSIFICATIONS = ['public', 'mission', 'restricted'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** Adds a stakeholder owned by the user's organisation, then opens its page. */
export function StakeholderFormModal({ onClose }: { onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const organisations = useOrganisations();
  const [name, setName] = useState('');
  const [nameAr, setNameAr] = useState('');
  const [kind, setKind] = useState<StakeholderKind>('government');
  const [organisationId, setOrganisationId] = useState('');
  const [classification, setClassification] = useState<Classification>('mission');

  const created = useRef<string | null>(null);

  const save = useSaveMutation({
    mutationFn: async () => {
      const stakeholder = await api.post<StakeholderRecord>('/api/stakeholders', {
        name: name.trim(),
        nameAr: nameAr.trim(),
        kind,
        organisationId: organisationId || null,
        classification,
      });
      created.current = stakeholder.id;
      return stakeholder;
    },
    invalidates: [stakeholderQueries.all],
    notice: () => t('stakeholders.saved'),
    onSaved: () => {
      onClose();
      navigate(`/stakeholders/${created.current}`);
    },
  });
  const errors = fieldErrors(save.error);
  const language = i18n.resolvedLanguage ?? 'en';

  return (
    <FormModal
      title={t('stakeholders.add')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={FIELDS}
      submitLabel={t('common.save')}
      submitting={save.isPending}
      submitTestId="stakeholder-submit"
    >
      <TextInput
        label={t('stakeholders.nameEn')}
        name="name"
        required
        lang="en"
        dir="ltr"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errors.name}
        data-autofocus
      />
      <TextInput
        label={t('stakeholders.nameAr')}
        name="nameAr"
        lang="ar"
        dir="rtl"
        value={nameAr}
        onChange={(e) => setNameAr(e.currentTarget.value)}
        error={errors.nameAr}
      />
      <NativeSelect
        label={t('stakeholders.kind')}
        name="kind"
        required
        data={STAKEHOLDER_KINDS.map((value) => ({ value, label: t(`stakeholders.kinds.${value}`) }))}
        value={kind}
        onChange={(e) => setKind(e.currentTarget.value as StakeholderKind)}
        error={errors.kind}
      />
      {organisations.size > 0 && (
        <NativeSelect
          label={t('stakeholders.organisation')}
          description={t('stakeholders.organisationHint')}
          name="organisationId"
          data={[
            { value: '', label: t('stakeholders.noOrganisation') },
            ...[...organisations.values()].map((o) => ({ value: o.id, label: organisationName(o, language) })),
          ]}
          value={organisationId}
          onChange={(e) => setOrganisationId(e.currentTarget.value)}
          error={errors.organisationId}
        />
      )}
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
