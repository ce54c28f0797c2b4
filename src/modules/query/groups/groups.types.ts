import type { DiscoveryPolicy } from '../query.types';

/**
 * The network every group of this installation belongs to. Each installation is its own network of one (CV3
 * reference 1.10), so for now `networkId` must be this value; the federation issue adds real networks (and
 * checks a group's networkId against the networks this node is in).
 */
export const LOCAL_NETWORK_ID = 'local';

export const GROUPS_COLLECTION = 'network.groups';

/** CV3's DiscoveryGroup (reference 1.11): who (users) sees what (sources) at which level (policy). */
export interface DiscoveryGroup {
  groupId: string;
  groupName: string;
  groupDescription: string;
  networkId: string;
  discoveryPolicy: DiscoveryPolicy;
  /** Keycloak user IDs of local users, or `ANONYMOUS_USER_ID`. */
  assignedUsers: string[];
  /** Source IDs. A deleted source's ID may linger here: readers intersect with the existing sources. */
  assignedSources: string[];
}
