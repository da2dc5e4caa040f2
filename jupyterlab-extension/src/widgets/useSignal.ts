import type { ISignal } from '@lumino/signaling';
import * as React from 'react';

/** Re-renders the component whenever `signal` fires (a model's `changed`). */
export function useSignal<T>(signal: ISignal<T, unknown>): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const onChange = (): void => setTick(t => t + 1);
    signal.connect(onChange);
    return () => void signal.disconnect(onChange);
  }, [signal]);
}
