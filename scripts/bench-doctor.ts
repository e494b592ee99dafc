/**
 * The network doctor's cost against `describe --json`'s (issue 17: at most 1.5× on 10k pods), on
 * the same derived model: `diagnose` and its JSON, against `describeTopology` and its JSON, what
 * each command does after reading and deriving the snapshot (which they share). On a generated
 * cluster; on the same with pods in trouble (test/fixtures/troubled.ts); and with one Service in
 * twenty selecting no pod (its selector one letter off), which sends the doctor looking for near
 * misses and gives it problems to write. "with derive": the two commands as a user times them.
 */
import { performance } from 'node:perf_hooks';
import { describeTopology } from '../shared/describe/build.ts';
import { diagnose } from '../shared/doctor/doctor.ts';
import type { ClusterObjects } from '../shared/kube/objects.ts';
import { derive } from '../shared/topology/derive.ts';
import { generateCluster } from '../test/fixtures/generate.ts';
import { generateTroubledCluster } from '../test/fixtures/troubled.ts';

/** The troubled cluster with every twentieth Service's selector mistyped, its EndpointSlice emptied as the controller would. */
function mistyped(pods: number): ClusterObjects {
  const { objects } = generateTroubledCluster(pods);
  const broken = new Set<string>();
  objects.services.forEach((service, i) => {
    if (i % 20 !== 0 || !service.spec?.selector) return;
    service.spec.selector = { app: `${service.spec.selector.app ?? ''}x` };
    broken.add(`${service.metadata.namespace}/${service.metadata.name}`);
  });
  for (const slice of objects.endpointSlices) if (broken.has(`${slice.metadata.namespace}/${slice.metadata.labels?.['kubernetes.io/service-name']}`)) slice.endpoints = [];
  return objects;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

function timed(run: () => unknown, runs: number): number {
  run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return median(times);
}

export function benchDoctor(pods: number, runs = 7): void {
  console.log(`\ndoctor vs describe --json on ${pods.toLocaleString('en')} pods (the same derived model; median of ${runs}; budget 1.5×)`);
  console.log('cluster     derive      describe --json   doctor --json   ratio   with derive   problems');
  const clusters: [string, ClusterObjects][] = [
    ['generated', generateCluster(pods)],
    ['troubled', generateTroubledCluster(pods).objects],
    ['mistyped', mistyped(pods)],
  ];
  for (const [name, objects] of clusters) {
    const topology = derive(objects);
    const deriveMs = timed(() => derive(objects), 3);
    const describeMs = timed(() => JSON.stringify(describeTopology(topology), null, 2), runs);
    let count = 0;
    const doctorMs = timed(() => {
      const problems = diagnose(topology);
      count = problems.length;
      return JSON.stringify({ problems }, null, 2);
    }, runs);
    const ratio = doctorMs / describeMs;
    const whole = (deriveMs + doctorMs) / (deriveMs + describeMs);
    console.log(
      `${name.padEnd(11)} ${deriveMs.toFixed(1).padStart(7)} ms ${describeMs.toFixed(1).padStart(12)} ms ${doctorMs.toFixed(1).padStart(12)} ms ${ratio.toFixed(2).padStart(6)}×${ratio <= 1.5 ? ' ' : '!'} ${whole.toFixed(2).padStart(9)}× ${String(count).padStart(10)}`,
    );
  }
}
