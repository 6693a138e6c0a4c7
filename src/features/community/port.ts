import type { Db } from '../../db/database';
import type { Community } from '../types';
import * as repo from './repository';
import { RightsReader } from './rights';

/** The community port every feature is handed (FeatureContext.community), over this feature's repository. */
export function communityPort(db: Db): Community {
  const rights = new RightsReader(db);
  return {
    copById: (copId, conn = db) => repo.findCopById(conn, copId),
    copOfChannel: (teamId, channelId) => repo.findCopByChannel(db, teamId, channelId),
    copWithRights: (teamId, channelId, userId) => rights.rightsOf(teamId, channelId, userId),
    copsOf: (userId) => repo.findCopsOfMember(db, userId),
    isMember: (copId, userId, conn = db) => repo.isMember(conn, copId, userId),
    isCoordinator: (copId, userId, conn = db) => repo.isCoordinator(conn, copId, userId),
    memberIds: (copId, conn = db) => repo.listMemberIds(conn, copId),
    coordinatorIds: (copId, conn = db) => repo.listCoordinators(conn, copId),
  };
}
