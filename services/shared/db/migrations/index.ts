import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123120000_initial } from './Migration20261123120000_initial.js';
import { Migration20261123140000_imports } from './Migration20261123140000_imports.js';
import { Migration20261201120000_import_limits } from './Migration20261201120000_import_limits.js';
import { Migration20261202120000_export_track_names } from './Migration20261202120000_export_track_names.js';
import { Migration20261202150000_play_counts } from './Migration20261202150000_play_counts.js';
import { Migration20261202160000_user_time_zone } from './Migration20261202160000_user_time_zone.js';
import { Migration20261202170000_stats_rollups } from './Migration20261202170000_stats_rollups.js';
import { Migration20261202180000_stats_local_rollups } from './Migration20261202180000_stats_local_rollups.js';
import { Migration20261203120000_pipeline_health_indexes } from './Migration20261203120000_pipeline_health_indexes.js';
import { Migration20261205120000_exports } from './Migration20261205120000_exports.js';
import { Migration20261205150000_lake_changes } from './Migration20261205150000_lake_changes.js';
import { Migration20261207120000_export_name_ids } from './Migration20261207120000_export_name_ids.js';
import { Migration20261207130000_export_turns } from './Migration20261207130000_export_turns.js';
import { Migration20261207140000_counted_play_rule } from './Migration20261207140000_counted_play_rule.js';
import { Migration20261207210000_listenbrainz } from './Migration20261207210000_listenbrainz.js';
import { Migration20261207220000_play_intervals } from './Migration20261207220000_play_intervals.js';
import { Migration20261207230000_lake_change_log } from './Migration20261207230000_lake_change_log.js';
import { Migration20261208120000_year_reviews } from './Migration20261208120000_year_reviews.js';
import { Migration20261208130000_search } from './Migration20261208130000_search.js';

/** Every migration, in order. Listed explicitly so migrations run the same from sources and in the image. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261123120000_initial', class: Migration20261123120000_initial },
  { name: 'Migration20261123140000_imports', class: Migration20261123140000_imports },
  { name: 'Migration20261201120000_import_limits', class: Migration20261201120000_import_limits },
  { name: 'Migration20261202120000_export_track_names', class: Migration20261202120000_export_track_names },
  { name: 'Migration20261202150000_play_counts', class: Migration20261202150000_play_counts },
  { name: 'Migration20261202160000_user_time_zone', class: Migration20261202160000_user_time_zone },
  { name: 'Migration20261202170000_stats_rollups', class: Migration20261202170000_stats_rollups },
  { name: 'Migration20261202180000_stats_local_rollups', class: Migration20261202180000_stats_local_rollups },
  { name: 'Migration20261203120000_pipeline_health_indexes', class: Migration20261203120000_pipeline_health_indexes },
  { name: 'Migration20261205120000_exports', class: Migration20261205120000_exports },
  { name: 'Migration20261205150000_lake_changes', class: Migration20261205150000_lake_changes },
  { name: 'Migration20261207120000_export_name_ids', class: Migration20261207120000_export_name_ids },
  { name: 'Migration20261207130000_export_turns', class: Migration20261207130000_export_turns },
  { name: 'Migration20261207140000_counted_play_rule', class: Migration20261207140000_counted_play_rule },
  { name: 'Migration20261207210000_listenbrainz', class: Migration20261207210000_listenbrainz },
  { name: 'Migration20261207220000_play_intervals', class: Migration20261207220000_play_intervals },
  { name: 'Migration20261207230000_lake_change_log', class: Migration20261207230000_lake_change_log },
  { name: 'Migration20261208120000_year_reviews', class: Migration20261208120000_year_reviews },
  { name: 'Migration20261208130000_search', class: Migration20261208130000_search },
];
