import { useEffect, useState } from 'react';

const query = () => window.matchMedia('(prefers-color-scheme: dark)');

/** The system's light or dark scheme, following it when it changes. */
export function useColorScheme(): 'light' | 'dark' {
  const [dark, setDark] = useState(() => query().matches);
  useEffect(() => {
    const media = query();
    const onChange = () => setDark(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return dark ? 'dark' : 'light';
}
