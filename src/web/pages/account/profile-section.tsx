import { Button, Group, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { OrganisationName } from '../../components/organisation-name';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors, notifySuccess } from '../../components/problems';
import { api } from '../../http/api-client';
import type { Locale, Me } from '../../http/types';
import { changeDigits, changeLanguage, isDigits } from '../../i18n/i18n';
import { useDigits } from '../../i18n/use-intl-locale';
import { Section } from './section';

export function ProfileSection() {
  const { t } = useTranslation();
  const { me, updateMe } = useSession();
  const [name, setName] = useState(me?.name ?? '');
  const [locale, setLocale] = useState<Locale>(me?.locale ?? 'en');
  const digits = useDigits();

  const save = useMutation({
    mutationFn: () => api.patch<Me>('/api/auth/me', { name: name.trim(), locale }),
    onSuccess: (user) => {
      updateMe(user);
      void changeLanguage(user.locale);
      notifySuccess(t('account.profileSaved'));
    },
  });
  if (!me) return null;
  const errors = fieldErrors(save.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <Section title={t('account.profile')}>
      <Text size="sm">
        <bdi translate="no">{me.email}</bdi> · <OrganisationName organisation={me.organisation} />
      </Text>
      <form onSubmit={onSubmit} noValidate>
        <Group align="flex-end">
          <TextInput
            label={t('account.name')}
            name="name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            w={{ base: '100%', sm: 280 }}
          />
          <Select
            label={t('account.languagePreference')}
            data={[
              { value: 'en', label: 'English' },
              { value: 'ar', label: 'العربية' },
            ]}
            value={locale}
            onChange={(value) => setLocale(value === 'ar' ? 'ar' : 'en')}
            error={errors.locale}
            allowDeselect={false}
            w={{ base: '100%', sm: 200 }}
          />
          <Button type="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Group>
      </form>
      <ProblemAlert error={save.error} fields={['name', 'locale']} />
      <Stack gap={4} mt="md">
        <Text size="sm" fw={500} id="digits-label">
          {t('account.digits')}
        </Text>
        <SegmentedControl
          aria-labelledby="digits-label"
          data-testid="digits-choice"
          value={digits}
          onChange={(value) => isDigits(value) && changeDigits(value)}
          data={[
            { value: 'latn', label: t('account.digitsLatn') },
            { value: 'arab', label: t('account.digitsArab') },
          ]}
          w="fit-content"
        />
        <Text size="xs" c="dimmed">
          {t('account.digitsHelp')}
        </Text>
      </Stack>
    </Section>
  );
}
