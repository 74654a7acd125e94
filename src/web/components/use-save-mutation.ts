import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';
import { notifySuccess } from './problems';

interface SaveMutationOptions<TData, TVariables> {
  mutationFn: (variables: TVariables) => Promise<TData>;
  /** The queries the change makes stale. */
  invalidates: QueryKey[];
  /** What the person is told once the change is saved. */
  notice: (data: TData) => string;
  /** What follows, usually closing the dialog the change was made in. */
  onSaved: () => void;
}

/**
 * A change made in a dialog. Once the server has it, the queries it makes stale are
 * refreshed, a notice says it is done, and `onSaved` runs.
 */
export function useSaveMutation<TData, TVariables = void>({
  mutationFn,
  invalidates,
  notice,
  onSaved,
}: SaveMutationOptions<TData, TVariables>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: (data) => {
      for (const queryKey of invalidates) void queryClient.invalidateQueries({ queryKey });
      notifySuccess(notice(data));
      onSaved();
    },
  });
}
