import { exportNamesByIdStatement } from '../repositories/export-names.repository.js';
import { exportPlaysBatchStatement } from '../repositories/export-plays.repository.js';
import { heardCatalogueStatement } from '../repositories/heard-catalogue.repository.js';
import { historyCountOfTracksStatement, historyPageOfTracksBackwardStatement, historyPageOfTracksStatement } from '../repositories/history-filter.repository.js';
import { historyCountStatement, historyPageBackwardStatement, historyPageStatement, pageTracksStatement, playsByKeyStatement } from '../repositories/history.repository.js';
import {
  lakeConsumeDaysStatement,
  lakeConsumeTablesStatement,
  lakePendingDaysStatement,
  lakePendingTablesStatement,
  lakeSnapshotStatement,
  lakeStoredDaySizesStatement,
  lakePendingDaySizesStatement,
  lakeTryLockStatement,
  lakeUserIdsStatement,
} from '../repositories/lake.repository.js';
import { storePlayBatchStatement } from '../repositories/plays.repository.js';
import { loadPollContextStatement, recordPollSuccessStatement } from '../repositories/poll-state.repository.js';
import { findActiveSessionStatement } from '../repositories/sessions.repository.js';
import { localActivityStatement, localClockStatement, localSummaryStatement } from '../repositories/stats-local.repository.js';
import { rebuildLocalClockStatement, rebuildLocalDaysStatement, rebuildPlayCountsStatement, rebuildQuartersStatement, rebuildTracksStatement } from '../repositories/stats-rebuild.repository.js';
import { recountActivityStatement, recountClockStatement, recountSummaryStatement } from '../repositories/stats-recount.repository.js';
import { newArtistsStatement, RANKING_STATEMENTS } from '../repositories/stats-rankings.repository.js';
import { timeZoneNamesStatement } from '../repositories/users.repository.js';
import { localYearStatement, statsActivityStatement, statsClockStatement, statsPlayedSpanStatement, statsSummaryStatement } from '../repositories/stats.repository.js';
import type { Statement } from './statement.js';

/**
 * Every hand-written statement of the data layer. A test writes each to `services/shared/db/queries/`
 * (reviewed with the code: a changed query shows in the diff as SQL) and checks that no repository
 * defines a statement missing from this list.
 */
export const HAND_WRITTEN_STATEMENTS: ReadonlyArray<Statement<unknown>> = [
  exportNamesByIdStatement,
  exportPlaysBatchStatement,
  findActiveSessionStatement,
  heardCatalogueStatement,
  historyCountStatement,
  historyCountOfTracksStatement,
  historyPageStatement,
  historyPageBackwardStatement,
  historyPageOfTracksStatement,
  historyPageOfTracksBackwardStatement,
  pageTracksStatement,
  playsByKeyStatement,
  lakeConsumeDaysStatement,
  lakeConsumeTablesStatement,
  lakePendingDaysStatement,
  lakePendingTablesStatement,
  lakeSnapshotStatement,
  lakeStoredDaySizesStatement,
  lakePendingDaySizesStatement,
  lakeTryLockStatement,
  lakeUserIdsStatement,
  loadPollContextStatement,
  recordPollSuccessStatement,
  localActivityStatement,
  localClockStatement,
  localSummaryStatement,
  localYearStatement,
  rebuildLocalClockStatement,
  rebuildLocalDaysStatement,
  rebuildPlayCountsStatement,
  rebuildQuartersStatement,
  rebuildTracksStatement,
  recountActivityStatement,
  recountClockStatement,
  recountSummaryStatement,
  newArtistsStatement,
  statsActivityStatement,
  statsClockStatement,
  statsPlayedSpanStatement,
  statsSummaryStatement,
  storePlayBatchStatement,
  timeZoneNamesStatement,
  ...Object.values(RANKING_STATEMENTS).flatMap((sources) => Object.values(sources).flatMap((orders) => Object.values(orders))),
];
