import { useEffect, useState } from 'react';

/**
 * A button that copies `text` to the clipboard and says whether it did. `what` completes its name for
 * screen readers ("Copy the token"). The Clipboard API exists only in a secure context (https, or this
 * machine): elsewhere the text stays on the page to select and copy by hand, and the button says so.
 */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const [outcome, setOutcome] = useState<'copied' | 'refused' | null>(null);
  useEffect(() => setOutcome(null), [text]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome('copied');
    } catch {
      setOutcome('refused');
    }
  };
  return (
    <span className="copy">
      <button type="button" onClick={() => void copy()}>
        Copy<span className="visually-hidden"> {what}</span>
      </button>
      <span role="status" className="quiet">
        {outcome === 'copied' && 'Copied.'}
        {outcome === 'refused' && 'This browser does not let the page copy: select the text and copy it yourself.'}
      </span>
    </span>
  );
}
