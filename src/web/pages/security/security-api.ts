import { useQuery } from '@tanstack/react-query';
import { api } from '../../http/api-client';

/** How many security alerts are open, for the navigation's badge; asked again every minute. */
export function useOpenAlertCount(enabled: boolean) {
  const query = useQuery({
    queryKey: ['security', 'open-alert-count'],
    queryFn: () => api.get<{ open: number }>('/api/security/alerts', { status: 'open', pageSize: 1 }),
    enabled,
    refetchInterval: 60_000,
  });
  return query.data?.open ?? 0;
}
