/**
 * The Kubernetes object the selected element came from, as the trimmed YAML Podpath keeps.
 * Fetched from the backend only when the user opens the section.
 */
import { useMemo, useState, type SyntheticEvent } from 'react';
import type { ObjectView, PodpathApi } from '../../../shared/ipc.ts';
import { CopyButton, Copyable } from './CopyButton.tsx';
import { kubectlGetCommand, objectYaml } from './copy.ts';

type ObjectState = { status: 'idle' } | { status: 'loading' } | { status: 'loaded'; object: ObjectView | null } | { status: 'failed'; error: string };

/** The panel keys it by id, so a new selection is a new component and a late reply cannot land on it. */
export function KubernetesObject({ api, id }: { api: PodpathApi; id: string }) {
  const [state, setState] = useState<ObjectState>({ status: 'idle' });
  const onToggle = (event: SyntheticEvent<HTMLDetailsElement>) => {
    if (!event.currentTarget.open || state.status !== 'idle') return;
    setState({ status: 'loading' });
    api.getObject({ id }).then(
      (object) => setState({ status: 'loaded', object }),
      (error: unknown) => setState({ status: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
  };

  return (
    <details className="details-section object" data-testid="kubernetes-object" onToggle={onToggle}>
      <summary>Kubernetes object (YAML, trimmed)</summary>
      {state.status === 'loading' && <p className="muted">Loading…</p>}
      {state.status === 'failed' && <p className="error">Could not load the object: {state.error}</p>}
      {state.status === 'loaded' && (state.object ? <ObjectYaml view={state.object} /> : <p className="muted">No Kubernetes object is stored for {id}.</p>)}
    </details>
  );
}

function ObjectYaml({ view }: { view: ObjectView }) {
  const yaml = useMemo(() => objectYaml(view), [view]);
  const command = kubectlGetCommand(view);
  return (
    <>
      <p className="muted small">
        The trimmed object Podpath keeps: only the fields its model reads, without env values, volumes, managedFields or most annotations. The full object:{' '}
        <Copyable value={command} />
      </p>
      <div className="details-actions">
        <CopyButton text={yaml} label="Copy YAML">
          Copy YAML
        </CopyButton>
      </div>
      <pre className="json yaml" data-testid="object-yaml">
        {yaml}
      </pre>
    </>
  );
}
