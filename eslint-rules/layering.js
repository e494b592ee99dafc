// The layering of design §2 as an allowlist (VS Code's `code-import-patterns`): every room lists
// the rooms and packages it may import, and anything else — a Node module in shared/, `undici`
// or a test fixture in the renderer — fails `npm run lint`. Test files, test/ and scripts/ are
// outside the rooms: they may import anything.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

const node = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
/** Pure libraries: no I/O, no DOM, run anywhere. */
const pure = ['yaml', 'zod', 'ipaddr.js', '@scure/base', '@noble/hashes', 'shlex'];

/**
 * The rooms, most specific first: `files` are path prefixes relative to the repository (a name
 * ending in `.ts` is one file); `rooms` the prefixes it may import from; `packages` the npm
 * packages (and their subpaths) and Node modules.
 */
export const rooms = [
  { name: 'electron/preload.ts', files: ['electron/preload.ts'], rooms: ['shared/ipc.ts'], packages: ['electron'], why: 'The sandboxed preload has no Node: it imports only electron and shared/ipc.ts.' },
  { name: 'the desktop shell', files: ['electron/main.ts', 'electron/desktop/'], rooms: ['electron/desktop/', 'electron/backend/', 'shared/'], packages: ['electron', 'electron-window-state', ...node, ...pure] },
  { name: 'electron/backend/', files: ['electron/backend/'], rooms: ['electron/backend/', 'shared/'], packages: ['@kubernetes/client-node', 'undici', ...node, ...pure], why: 'The backend knows no transport: no electron, no HTTP server, no CLI.' },
  { name: 'electron/serve/', files: ['electron/serve/'], rooms: ['electron/serve/', 'electron/backend/', 'shared/'], packages: ['ws', 'vite', ...node, ...pure] },
  { name: 'electron/cli/', files: ['electron/cli/'], rooms: ['electron/cli/', 'electron/serve/', 'electron/backend/', 'shared/'], packages: ['commander', 'playwright-core', ...node, ...pure] },
  { name: 'renderer/', files: ['renderer/'], rooms: ['renderer/', 'shared/'], packages: ['react', 'react-dom', 'cytoscape', ...pure], why: 'The renderer runs in Chromium: no Node, no Electron; it reaches the backend only through shared/ipc.' },
  { name: 'shared/', files: ['shared/'], rooms: ['shared/'], packages: pure, why: 'shared/ is pure: no Node, no Electron, no DOM, no UI library; it imports only shared/.' },
];

const isOutsideRooms = (file) => /\.test\.tsx?$/.test(file) || file.endsWith('.d.ts') || !rooms.some((room) => room.files.some((f) => file === f || (f.endsWith('/') && file.startsWith(f))));

function roomOf(file) {
  return rooms.find((room) => room.files.some((f) => file === f || (f.endsWith('/') && file.startsWith(f))));
}

const packageOf = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);

export default {
  rules: {
    layering: {
      meta: { type: 'problem', schema: [], messages: { refused: '{{room}} may not import {{what}}. {{why}}' } },
      create(context) {
        const root = context.cwd;
        const file = relative(root, context.filename).split('\\').join('/');
        if (file.startsWith('..') || isOutsideRooms(file)) return {};
        const room = roomOf(file);
        const check = (node, specifier) => {
          if (typeof specifier !== 'string') return;
          let isAllowed;
          let what;
          if (specifier.startsWith('.')) {
            const target = relative(root, resolve(dirname(context.filename), specifier)).split('\\').join('/');
            isAllowed = room.rooms.some((r) => target === r || (r.endsWith('/') && target.startsWith(r)));
            what = target;
          } else {
            isAllowed = room.packages.includes(specifier) || room.packages.includes(packageOf(specifier));
            what = `'${specifier}'`;
          }
          if (!isAllowed) {
            const why = room.why ?? `It may import ${room.rooms.join(', ')} and ${room.packages.filter((p) => !p.startsWith('node:') && !builtinModules.includes(p)).join(', ')}${room.packages.includes('fs') ? ', Node' : ''}.`;
            context.report({ node, messageId: 'refused', data: { room: room.name, what, why } });
          }
        };
        return {
          ImportDeclaration: (node) => check(node, node.source.value),
          ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
          ExportAllDeclaration: (node) => check(node, node.source.value),
          ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
        };
      },
    },
  },
};
