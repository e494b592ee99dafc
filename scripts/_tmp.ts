import { readFileSync } from 'node:fs';
import { parseSnapshot } from '../shared/snapshot/format.ts';
import { derive } from '../shared/topology/derive.ts';
import { describeTopology, formatDescribe } from '../shared/describe.ts';
const s = parseSnapshot(readFileSync('assets/demo-cluster.podpath.json','utf8'));
const doc = describeTopology(derive(s.objects, s.source));
console.log(formatDescribe(doc));
console.log(JSON.stringify(doc.services.find(s=>s.name==='web') ?? doc.services[5], null, 1).slice(0, 2500));
