import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MutationInput, MutationPayload, UserError } from '../relay/mutation-base.js';
import { Import } from './import.type.js';

export enum CancelImportErrorCode {
  IMPORT_NOT_FOUND = 'IMPORT_NOT_FOUND',
  IMPORT_ALREADY_COMPLETED = 'IMPORT_ALREADY_COMPLETED',
}

registerEnumType(CancelImportErrorCode, {
  name: 'CancelImportErrorCode',
  description: 'Why an import was not cancelled.',
  valuesConfig: {
    IMPORT_NOT_FOUND: { description: 'You have no import of this id.' },
    IMPORT_ALREADY_COMPLETED: { description: 'The import had already completed: its plays are stored (and its upload deleted).' },
  },
});

@InputType({ description: 'The import to cancel.' })
export class CancelImportInput extends MutationInput {
  @Field(() => ID, { description: 'The id of one of your imports.' })
  id!: string;
}

@ObjectType({ implements: UserError, description: 'Why an import was not cancelled.' })
export class CancelImportError implements UserError {
  __typename!: 'CancelImportError';

  @Field(() => CancelImportErrorCode, { description: 'What kind of failure it is, for programs.' })
  code!: CancelImportErrorCode;

  @Field(() => String, { description: 'What went wrong and what to do, for people (English).' })
  message!: string;
}

@ObjectType({ description: 'The answer to cancelImport.' })
export class CancelImportPayload extends MutationPayload {
  @Field(() => Import, { nullable: true, description: 'The import as it now is (CANCELLED, or unchanged when it could not be cancelled); null when there is none.' })
  import!: Import | null;

  @Field(() => [CancelImportError], { description: 'Why it was not cancelled; empty when it is cancelled (cancelling a cancelled import again is no error).' })
  errors!: CancelImportError[];
}
