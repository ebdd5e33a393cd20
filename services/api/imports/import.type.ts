import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GLOBAL_ID, Node } from '../relay/node.type.js';

export enum ImportStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  COMPLETED = 'completed',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
}

registerEnumType(ImportStatus, {
  name: 'ImportStatus',
  description: 'Where an import of Spotify’s extended streaming history stands.',
  valuesConfig: {
    QUEUED: { description: 'Uploaded; waiting for a worker.' },
    RUNNING: { description: 'Being read and stored; the counts grow chunk by chunk.' },
    COMPLETED: { description: 'Every row was read; the counts are final.' },
    FAILED: { description: 'Stopped by an error (see `error`); plays stored before it are kept.' },
    CANCELLED: { description: 'Cancelled by the user; plays stored before it are kept.' },
  },
});

@ObjectType({
  description:
    'What an import did with the streaming history’s rows. Every row read is counted in exactly one of stored, duplicates, skippedPodcast, skippedLocal and skippedMalformed; shortPlays and unknownTracks are flags on stored or duplicate plays.',
})
export class ImportCounts {
  @Field(() => Int, { description: 'Rows read from the streaming history so far.' })
  rowsRead!: number;

  @Field(() => Int, { description: 'Plays stored for the first time.' })
  stored!: number;

  @Field(() => Int, { description: 'Plays already stored (polled, or from an earlier or overlapping import): not stored again.' })
  duplicates!: number;

  @Field(() => Int, { description: 'Plays shorter than 30 seconds: kept with their duration, but neither Spotify nor the statistics count them as plays.' })
  shortPlays!: number;

  @Field(() => Int, { description: 'Plays of tracks Spotify no longer knows (404): kept with the names from the streaming history.' })
  unknownTracks!: number;

  @Field(() => Int, { description: 'Podcast episodes and audiobook chapters: skipped.' })
  skippedPodcast!: number;

  @Field(() => Int, { description: 'Local files (no Spotify track): skipped.' })
  skippedLocal!: number;

  @Field(() => Int, { description: 'Rows that are not a readable play (see `problems`): skipped.' })
  skippedMalformed!: number;

  @Field(() => Int, { description: 'Tracks looked up on Spotify (the rest were already known).' })
  tracksFetched!: number;
}

@ObjectType({ description: 'A row or file of the streaming history that could not be read.' })
export class ImportProblem {
  @Field(() => String, { description: 'The file of the streaming history (its name inside the zip).' })
  file!: string;

  @Field(() => Int, { description: 'Which row of the file it is, counting from 0.' })
  row!: number;

  @Field(() => String, { description: 'What is wrong with it.' })
  message!: string;
}

@ObjectType({ implements: Node, description: 'An upload of Spotify’s extended streaming history (POST /imports) and what became of it.' })
export class Import implements Node {
  __typename!: 'Import';

  @Field(() => ID, { description: GLOBAL_ID })
  id!: string;

  @Field(() => ImportStatus, { description: 'Where the import stands.' })
  status!: ImportStatus;

  @Field(() => String, { description: 'The name the file was uploaded with.' })
  fileName!: string;

  @Field(() => Int, { description: 'Size of the upload in bytes.' })
  fileBytes!: number;

  @Field(() => ImportCounts, { description: 'What the import did with the streaming history’s rows so far.' })
  counts!: ImportCounts;

  @Field(() => [ImportProblem], { description: 'The first 100 problems met (unreadable rows or files).' })
  problems!: ImportProblem[];

  @Field(() => String, { nullable: true, description: 'Why the import failed; null unless it did.' })
  error!: string | null;

  @Field(() => Date, { description: 'When the upload arrived (UTC).' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When a worker first started reading it (UTC); null while queued.' })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it completed, failed or was cancelled (UTC); null until then.' })
  finishedAt!: Date | null;
}
