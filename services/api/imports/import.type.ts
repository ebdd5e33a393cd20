import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

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
    'What an import did with the export’s rows. Every row read is counted in exactly one of stored, duplicates, skippedPodcast, skippedLocal and skippedMalformed; shortPlays and unknownTracks are flags on stored or duplicate plays.',
})
export class ImportCounts {
  @Field(() => Int, { description: 'Rows read from the export so far.' })
  rowsRead!: number;

  @Field(() => Int, { description: 'Plays stored for the first time.' })
  stored!: number;

  @Field(() => Int, { description: 'Plays already stored (polled, or from an earlier or overlapping import): not stored again.' })
  duplicates!: number;

  @Field(() => Int, { description: 'Plays of 30 seconds or less: kept with their duration, but Spotify does not count them as plays.' })
  shortPlays!: number;

  @Field(() => Int, { description: 'Plays of tracks Spotify no longer knows (404): kept with the names from the export.' })
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

@ObjectType({ description: 'A row or file of the export that could not be read.' })
export class ImportProblem {
  @Field(() => String)
  file!: string;

  @Field(() => Int, { description: 'The row’s index in the file (0-based).' })
  row!: number;

  @Field(() => String)
  message!: string;
}

@ObjectType({ description: 'An upload of Spotify’s extended streaming history (POST /imports) and what became of it.' })
export class Import {
  @Field(() => ID)
  id!: string;

  @Field(() => ImportStatus)
  status!: ImportStatus;

  @Field(() => String, { description: 'The name the file was uploaded with.' })
  fileName!: string;

  @Field(() => Float, { description: 'Size of the upload in bytes.' })
  fileBytes!: number;

  @Field(() => ImportCounts)
  counts!: ImportCounts;

  @Field(() => [ImportProblem], { description: 'The first 100 problems met (unreadable rows or files).' })
  problems!: ImportProblem[];

  @Field(() => String, { nullable: true, description: 'Why the import failed, when it did.' })
  error!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}
