import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MutationInput, MutationPayload, UserError } from '../relay/mutation-base.js';
import { Export, ExportFormat } from './export.type.js';

export enum RequestExportErrorCode {
  TOO_MANY_PENDING_EXPORTS = 'TOO_MANY_PENDING_EXPORTS',
}

registerEnumType(RequestExportErrorCode, {
  name: 'RequestExportErrorCode',
  description: 'Why an export was not started.',
  valuesConfig: {
    TOO_MANY_PENDING_EXPORTS: { description: 'You already have as many exports queued or being written as one listener may (EXPORT_MAX_PENDING): wait for one to complete.' },
  },
});

@InputType({ description: 'The export to write.' })
export class RequestExportInput extends MutationInput {
  @Field(() => ExportFormat, { description: 'The file’s format.' })
  format!: ExportFormat;
}

@ObjectType({ implements: UserError, description: 'Why an export was not started.' })
export class RequestExportError implements UserError {
  __typename!: 'RequestExportError';

  @Field(() => RequestExportErrorCode, { description: 'What kind of failure it is, for programs.' })
  code!: RequestExportErrorCode;

  @Field(() => String, { description: 'What went wrong and what to do, for people (English).' })
  message!: string;
}

@ObjectType({ description: 'The answer to requestExport.' })
export class RequestExportPayload extends MutationPayload {
  @Field(() => Export, { nullable: true, description: 'The new export (QUEUED); null when it was not started.' })
  export!: Export | null;

  @Field(() => [RequestExportError], { description: 'Why it was not started; empty when it was.' })
  errors!: RequestExportError[];
}
