import { Checkbox, Select, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ORGANISATION_TYPES } from '../../../shared/organisations.ts';
import { FormModal } from '../../components/form-modal';
import { fieldErrors } from '../../components/problems';
import { useSaveMutation } from '../../components/use-save-mutation';
import { api } from '../../http/api-client';
import { organisationQueries } from '../../http/queries/organisations';
import type { Organisation, OrganisationType } from '../../http/types';

interface Props {
  /** null to create a new organisation. */
  organisation: Organisation | null;
  onClose: () => void;
}

const FIELDS = ['name', 'nameAr', 'type', 'countryCode', 'requireTotp'];

export function OrganisationFormModal({ organisation, onClose }: Props) {
  const { t } = useTranslation();
  const [name, setName] = useState(organisation?.name ?? '');
  const [nameAr, setNameAr] = useState(organisation?.nameAr ?? '');
  const [type, setType] = useState<OrganisationType | null>(organisation?.type ?? null);
  const [countryCode, setCountryCode] = useState(organisation?.countryCode ?? '');
  const [requireTotp, setRequireTotp] = useState(organisation?.requireTotp ?? false);

  const save = useSaveMutation({
    mutationFn: () => {
      const body = {
        name: name.trim(),
        // null clears a value that was set before; the server treats both fields as optional.
        nameAr: nameAr.trim() || null,
        type: type ?? undefined,
        countryCode: countryCode.trim().toUpperCase() || null,
        requireTotp,
      };
      return organisation
        ? api.patch<Organisation>(`/api/organisations/${organisation.id}`, body)
        : api.post<Organisation>('/api/organisations', body);
    },
    invalidates: [organisationQueries.all],
    notice: () => t('organisations.saved'),
    onSaved: onClose,
  });
  const errors = fieldErrors(save.error);

  return (
    <FormModal
      title={organisation ? t('organisations.edit') : t('organisations.create')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      error={save.error}
      fields={FIELDS}
      submitLabel={t('common.save')}
      submitting={save.isPending}
    >
      <TextInput
        label={t('organisations.nameEn')}
        name="name"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errors.name}
        data-autofocus
      />
      <TextInput
        label={t('organisations.nameAr')}
        name="nameAr"
        dir="rtl"
        lang="ar"
        value={nameAr}
        onChange={(e) => setNameAr(e.currentTarget.value)}
        error={errors.nameAr}
      />
      <Select
        label={t('organisations.type')}
        required
        data={ORGANISATION_TYPES.map((value) => ({
          value,
          label: t(`organisationTypes.${value}`),
        }))}
        value={type}
        onChange={(value) => setType(value as OrganisationType | null)}
        error={errors.type}
        allowDeselect={false}
      />
      <TextInput
        label={t('organisations.countryCode')}
        description={t('organisations.countryCodeHint')}
        name="countryCode"
        maxLength={2}
        value={countryCode}
        onChange={(e) => setCountryCode(e.currentTarget.value)}
        error={errors.countryCode}
      />
      <Checkbox
        label={t('organisations.requireTotpLong')}
        checked={requireTotp}
        onChange={(e) => setRequireTotp(e.currentTarget.checked)}
        error={errors.requireTotp}
      />
    </FormModal>
  );
}
