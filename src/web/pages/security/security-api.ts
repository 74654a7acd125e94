import { useQuery } from '@tanstack/react-query';
import { securityQueries } from '../../http/queries/security';

/** How many security alerts are open, for the navigation's badge; asked again every minute. */
export function useOpenAlertCount(enabled: boolean) {
  const query = useQuery({ ...securityQueries.openAlertCount(), enabled });
  return query.data?.open ?? 0;
}
