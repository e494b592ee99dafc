/** Route lookups over what `ip route` read: the exact route for a prefix, and the one the kernel
 * would pick for an address (longest prefix, then lowest metric), within one table. */
import { cidrContains } from '../net/ip.ts';
import type { Route } from './types.ts';

const lengthOf = (route: Route) => (route.dst === 'default' ? 0 : Number(route.dst.split('/')[1]));
const familyOf = (address: string) => (address.includes(':') ? 'inet6' : 'inet');

/** The unicast route (or blackhole, unreachable, …) for exactly this prefix, e.g. a node's
 * podCIDR. `10.244.1.5` and `10.244.1.5/32` are the same prefix. */
export function routeFor(routes: Route[], prefix: string, table = 'main'): Route | undefined {
  const wanted = prefix.includes('/') ? prefix : `${prefix}/${prefix.includes(':') ? 128 : 32}`;
  return routes.find((r) => r.table === table && r.dst === wanted);
}

/** The route the kernel would use for `ip` from `table` (ignoring policy routing and source). */
export function routeTo(routes: Route[], ip: string, table = 'main'): Route | undefined {
  let best: Route | undefined;
  for (const route of routes) {
    if (route.table !== table) continue;
    const matches = route.dst === 'default' ? (route.family ?? 'inet') === familyOf(ip) : cidrContains(route.dst, ip);
    if (!matches) continue;
    const isBetter = !best || lengthOf(route) > lengthOf(best) || (lengthOf(route) === lengthOf(best) && (route.metric ?? 0) < (best.metric ?? 0));
    if (isBetter) best = route;
  }
  return best;
}
