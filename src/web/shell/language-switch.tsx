import { SegmentedControl } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';
import { notifyError } from '../components/problems';
import { api } from '../http/api-client';
import type { Me } from '../http/types';
import { changeLanguage, currentLanguage, isLanguage, type Language } from '../i18n/i18n';

/** English / العربية. Signed in, the choice is also saved as the user's preference. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const { me, updateMe } = useSession();
  const save = useMutation({
    mutationFn: (locale: Language) => api.patch<Me>('/api/auth/me', { locale }),
    onSuccess: updateMe,
    onError: notifyError,
  });

  const onChange = (value: string) => {
    if (!isLanguage(value)) return;
    void changeLanguage(value);
    if (me && me.locale !== value) save.mutate(value);
  };

  return (
    <SegmentedControl
      data-testid="language-switch"
      aria-label={t('language.label')}
      size="xs"
      value={isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : currentLanguage()}
      onChange={onChange}
      data={[
        {
          value: 'en',
          label: (
            <span lang="en" translate="no">
              English
            </span>
          ),
        },
        { value: 'ar', label: <span lang="ar">العربية</span> },
      ]}
    />
  );
}
