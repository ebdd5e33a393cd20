/** Longest stretch of a client's value an error message repeats; longer ones are cut to their start. */
const LONGEST_ECHO = 100;
const ECHO_KEPT = 64;
const LONGEST_MESSAGE = 1_000;

const cut = (text: string): string => {
  const characters = [...text];
  return characters.length <= LONGEST_ECHO ? text : `${characters.slice(0, ECHO_KEPT).join('')}… (${characters.length} characters)`;
};

/**
 * An error message with the client's values it quotes cut short. graphql-js and the scalars repeat a
 * bad value whole ("DateTime cannot represent an invalid date-time-string …"), so a request of a
 * hundred kilobytes would come back as an error of a hundred kilobytes, and be logged so. Quoted
 * strings and runs without spaces longer than a few lines' worth keep their start and their length;
 * the whole message is capped too.
 */
export function capEchoedValues(message: string): string {
  const capped = message
    .replace(/"((?:[^"\\]|\\.)*)"/g, (quoted, inner: string) => (inner.length > LONGEST_ECHO ? `"${cut(inner)}"` : quoted))
    .replace(/\S+/g, (run) => cut(run));
  return capped.length > LONGEST_MESSAGE ? `${[...capped].slice(0, LONGEST_MESSAGE).join('')}…` : capped;
}
