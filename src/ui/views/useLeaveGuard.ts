// While a run trains, leaving the page (reload, closing the tab, typing another address) asks
// first: the browser shows its own "Leave site?" question. The run would still resume from its last
// kept checkpoint, but the steps since then would be trained again.
import { useEffect } from 'react';
import { usePlayground } from '../state/context';
import { isTraining } from '../state/selectors';

export function useLeaveGuard(target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window): void {
  const training = usePlayground(isTraining);
  useEffect(() => {
    if (!training) return;
    const ask = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when returnValue is set.
      event.returnValue = '';
    };
    target.addEventListener('beforeunload', ask);
    return () => target.removeEventListener('beforeunload', ask);
  }, [training, target]);
}
