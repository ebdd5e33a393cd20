import { useState } from 'react';

/** An album's art when the catalogue has it and it loads, a neutral square otherwise (the layout does not jump). */
export function Cover({ url, size = 48 }: { url: string | null | undefined; size?: number }) {
  const [failed, setFailed] = useState<string | null>(null);
  if (!url || failed === url) return <span className="cover placeholder" style={{ width: size, height: size }} aria-hidden="true" />;
  return <img className="cover" src={url} width={size} height={size} alt="" loading="lazy" onError={() => setFailed(url)} />;
}
