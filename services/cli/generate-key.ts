import { writeFile } from 'node:fs/promises';
import { EXIT, parseCommandLine, runCommandLine } from '../shared/cli/command-line.js';
import { generateEncryptionKey } from '../shared/crypto/token-cipher.js';

const USAGE = `usage: playlog generate-key [--file <path>]

Makes a new random key for TOKEN_ENCRYPTION_KEYS (keyId:base64key, AES-256-GCM; the id is the day it was made).

  (no option)     prints it on stdout, e.g. to paste into a secret store
  --file <path>   writes it to <path> (mode 0600) unless that file already exists, and says which; the
                  services read it through TOKEN_ENCRYPTION_KEYS_FILE (docker compose does this on first start)

Exit codes: 0 done (or the file already existed), 1 an error, 2 bad usage.`;

runCommandLine('generate-key', USAGE, async (argv) => {
  const { values } = parseCommandLine(argv, { file: { type: 'string' } });
  if (values.file === undefined) {
    process.stdout.write(`${generateEncryptionKey()}\n`);
    return EXIT.ok;
  }
  try {
    // 'wx': never replace a key that tokens were already encrypted with.
    await writeFile(values.file, `${generateEncryptionKey()}\n`, { mode: 0o600, flag: 'wx' });
    process.stdout.write(`generate-key: wrote a new key to ${values.file}\n`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    process.stdout.write(`generate-key: ${values.file} exists; kept it\n`);
  }
  return EXIT.ok;
});
