import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GLOBAL_ID, Node } from '../relay/node.type.js';

export enum ExportFormat {
  LISTENBRAINZ_JSONL = 'listenbrainz_jsonl',
  CSV = 'csv',
  JSON = 'json',
}

registerEnumType(ExportFormat, {
  name: 'ExportFormat',
  description: 'What a personal export’s file holds (docs/export.md).',
  valuesConfig: {
    LISTENBRAINZ_JSONL: {
      description: 'One ListenBrainz listen per line (JSON Lines), ready for ListenBrainz’s import: listened_at is when the play started; plays whose track has no name at all are left out (counted in skipped).',
    },
    CSV: { description: 'RFC 4180 CSV in UTF-8 with a header row and CRLF line ends, one record per play; times in ISO-8601 UTC.' },
    JSON: { description: 'One JSON array of plays, each an object with the field names of the GraphQL Play type.' },
  },
});

export enum ExportStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  COMPLETED = 'completed',
  FAILED = 'failed',
}

registerEnumType(ExportStatus, {
  name: 'ExportStatus',
  description: 'Where a personal export stands.',
  valuesConfig: {
    QUEUED: { description: 'Asked for; waiting for a worker.' },
    RUNNING: { description: 'Being written.' },
    COMPLETED: { description: 'Written: downloadUrl serves it until expiresAt.' },
    FAILED: { description: 'Stopped by an error (see `error`); ask for a new export.' },
  },
});

@ObjectType({ implements: Node, description: 'A copy of the caller’s whole listening history in one file, to download until it expires (docs/export.md).' })
export class Export implements Node {
  __typename!: 'Export';

  @Field(() => ID, { description: GLOBAL_ID })
  id!: string;

  @Field(() => ExportStatus, { description: 'Where the export stands.' })
  status!: ExportStatus;

  @Field(() => ExportFormat, { description: 'The file’s format.' })
  format!: ExportFormat;

  @Field(() => Int, { nullable: true, description: 'Plays written to the file; null until it is completed.' })
  rows!: number | null;

  @Field(() => Int, { nullable: true, description: 'Plays left out because this format needs a name nothing knows (ListenBrainz only); null until it is completed.' })
  skipped!: number | null;

  @Field(() => Int, { nullable: true, description: 'Size of the file in bytes; null until it is completed.' })
  bytes!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the export failed; null unless it did.' })
  error!: string | null;

  @Field(() => Date, { description: 'When it was asked for (UTC).' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the export and its file are deleted (UTC); it is not shown after.' })
  expiresAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'Where to download the file, relative to the API’s origin (GET, with the session cookie or the Bearer token of its owner); null until it is completed.',
  })
  downloadUrl!: string | null;
}
