import { useId, useRef, useState } from 'react';
import { useMutation } from 'urql';
import { CreateApiTokenDocument, type CreateApiTokenMutation } from '../../graphql/generated.js';
import { ErrorMessage, errorText } from '../../shared/status.js';

export type CreatedApiToken = CreateApiTokenMutation['createApiToken'];

// The API's limit on a token's name (createApiToken's input).
const MAX_NAME_LENGTH = 100;

/**
 * Names and creates a token. A name the API refuses (blank, too many tokens already) is said next to
 * the field, which gets the focus back; any other failure is said below the form.
 */
export function CreateApiTokenForm({ onCreated }: { onCreated: (created: CreatedApiToken) => void }) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [result, create] = useMutation(CreateApiTokenDocument);
  const field = useRef<HTMLInputElement>(null);
  const problemId = useId();

  const refuse = (why: string) => {
    setProblem(why);
    field.current?.focus();
  };
  const submit = async () => {
    const trimmed = name.trim();
    if (trimmed === '') return refuse('Give the token a name, such as the player it is for.');
    setProblem(null);
    const answer = await create({ name: trimmed });
    if (answer.data) {
      setName('');
      onCreated(answer.data.createApiToken);
    } else if (answer.error?.graphQLErrors.some((error) => error.extensions.code === 'BAD_USER_INPUT')) {
      refuse(errorText(answer.error));
    }
  };
  const otherError = result.error && !result.error.graphQLErrors.some((error) => error.extensions.code === 'BAD_USER_INPUT') ? result.error : null;

  return (
    <form
      className="controls"
      aria-label="Create a token"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label>
        Token name (such as the player it is for)
        <input
          ref={field}
          value={name}
          onChange={(event) => setName(event.target.value)}
          maxLength={MAX_NAME_LENGTH}
          autoComplete="off"
          aria-invalid={problem !== null}
          aria-describedby={problem !== null ? problemId : undefined}
        />
      </label>
      <button type="submit" className="primary" disabled={result.fetching}>
        Create token
      </button>
      {problem !== null && (
        <p id={problemId} className="field-error" role="alert">
          {problem}
        </p>
      )}
      {otherError && <ErrorMessage error={otherError} />}
    </form>
  );
}
