import { useEffect, useState } from 'react';
import type { ConnectionStatus } from '../transport/connect.ts';

/** Shown while the link to the backend is down, with the countdown to the next attempt. */
export function ConnectionBanner({ status }: { status: ConnectionStatus }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (status.state !== 'closed') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [status.state]);
  if (status.state !== 'closed') return null;
  const seconds = status.retryAt ? Math.max(0, Math.ceil((status.retryAt - now) / 1000)) : null;
  return (
    <div className="banner banner-error" role="alert" data-testid="disconnected">
      <strong>Disconnected from the Podpath backend</strong>
      {status.reason && <span className="muted"> ({status.reason})</span>}
      <span> — {seconds ? `retrying in ${seconds} s` : 'retrying…'}</span>
    </div>
  );
}
