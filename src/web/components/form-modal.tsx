import { Button, Group, Modal, type ModalProps, Stack } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from './problem-alert';

interface FormModalProps {
  title: string;
  size?: ModalProps['size'];
  onClose: () => void;
  /** Called when the form is submitted; the browser's own submission is prevented. */
  onSubmit: () => void;
  /** The error the last submission ended in, shown above the fields. */
  error: unknown;
  /** Fields that show their own error beside the input; the alert lists the others. */
  fields: string[];
  submitLabel: string;
  submitting: boolean;
  submitTestId?: string;
  children: ReactNode;
}

/** A dialog holding one form: its problem, its fields, then Cancel and the submit button. */
export function FormModal(props: FormModalProps) {
  const { t } = useTranslation();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <Modal opened onClose={props.onClose} title={props.title} closeButtonProps={{ 'aria-label': t('common.close') }} size={props.size}>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <ProblemAlert error={props.error} fields={props.fields} />
          {props.children}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={props.submitting} data-testid={props.submitTestId}>
              {props.submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
