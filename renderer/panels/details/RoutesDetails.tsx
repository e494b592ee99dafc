/** The routes box a routed CNI draws in a node's root netns, where a bridge would be. */
import type { DescribedNode } from '../../../shared/describe/types.ts';
import { RouteRows } from './NodeDetails.tsx';
import { Title } from './Title.tsx';

export function RoutesDetails({ node }: { node: DescribedNode }) {
  return (
    <>
      <Title kind="Root netns routes" name={node.name} />
      <p className="muted">A routed CNI puts no bridge between pods: each pod IP has a host route to its pod's veth.</p>
      <RouteRows node={node} />
    </>
  );
}
