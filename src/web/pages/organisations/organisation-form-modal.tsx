import { Button, Checkbox, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ORGANISATION_TYPES } from '../../../shared/organisations.ts';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors, notifySuccess } from '../../components/problems';
import { api } from '../../http/api-client';
import type { Organisation, OrganisationType } from '../../http/types';

interface Props {
  /** null to create a new organisation. */
  organisation: Organisation | null;
  onClose: () => void;
}

const FIELDS = ['name', 'nameAr', 'type', 'countryCode', 'requireTotp'];

export function OrganisationFormModal({ organisation, onClose }: Props) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState(organisation?.name ?? '');
  const [nameAr, setNameAr] = useState(organisation?.nameAr ?? '');
  const [type, setType] = useState<OrganisationType | null>(organisation?.type ?? null);
  const [countryCode, setCountryCode] = useState(organisation?.countryCode ?? '');
  const [requireTotp, setRequireTotp] = useState(organisation?.requireTotp ?? false);

  const save = useMutation({
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
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['organisations'] });
      notifySuccess(t('organisations.saved'));
      onClose();
    },
  });

  const errors = fieldErrors(save.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={organisation ? t('organisations.edit') : t('organisations.create')}
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <ProblemAlert error={save.error} fields={FIELDS} />
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
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
