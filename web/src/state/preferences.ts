import { useEffect, useState } from 'react';

const REDUCE_KEY = 'tc.reduceMotion';

/**
 * "Reduce motion": the user's own choice when they made one ('on' / 'off'), otherwise the OS
 * preference (prefers-reduced-motion), followed live.
 */
export function useReduceMotion(): { reduce: boolean; choice: 'system' | 'on' | 'off'; setChoice(c: 'system' | 'on' | 'off'): void } {
  const [choice, setChoiceState] = useState<'system' | 'on' | 'off'>(() => {
    const v = localStorage.getItem(REDUCE_KEY);
    return v === 'on' || v === 'off' ? v : 'system';
  });
  const [osReduce, setOsReduce] = useState(() => matchMedia('(prefers-reduced-motion: reduce)').matches);
  useEffect(() => {
    const mq = matchMedia('(prefers-reduced-motion: reduce)');
    const on = (): void => setOsReduce(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  useEffect(() => {
    const on = (e: StorageEvent): void => {
      if (e.key === REDUCE_KEY) setChoiceState(e.newValue === 'on' || e.newValue === 'off' ? e.newValue : 'system');
    };
    addEventListener('storage', on);
    return () => removeEventListener('storage', on);
  }, []);
  const setChoice = (c: 'system' | 'on' | 'off'): void => {
    if (c === 'system') localStorage.removeItem(REDUCE_KEY);
    else localStorage.setItem(REDUCE_KEY, c);
    setChoiceState(c);
  };
  return { reduce: choice === 'on' || (choice === 'system' && osReduce), choice, setChoice };
}
