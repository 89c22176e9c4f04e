import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  /** Function, file (shortened) and line. */
  frame: string;
  /** Share of all samples spent in this function itself. */
  selfShare: number;
  /** Share of all samples with this function on the stack. */
  totalShare: number;
}

/** Self time by area: a package, a folder of ours, Node itself, or V8's own work. */
export interface AreaEntry {
  area: string;
  selfShare: number;
}

/** The area a frame's code belongs to: where framework cost and our own cost part ways. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope = '', name = ''] = url.slice(modules + 'node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) {
    const parts = url.slice(dist + '/dist/'.length).split('/');
    return `ours: ${parts.slice(0, Math.min(2, parts.length - 1)).join('/')}`;
  }
  return url.startsWith('node:') ? url.replace(/^node:(internal\/)?/, 'node: ') : 'other';
}

/** Where a node path points, short enough for a table: inside node_modules, the package. */
function place(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const src = url.lastIndexOf('/dist/');
  return src >= 0 ? url.slice(src + '/dist/'.length) : url.replace(/^node:/, 'node:');
}

/**
 * The functions a V8 CPU profile (`node --cpu-prof`) spent its samples in, by self time, with
 * their total (inclusive) time: what a flame graph shows, as a table a README can quote.
 */
export function summarizeProfile(
  path: string,
  top = 20,
): { entries: ProfileEntry[]; areas: AreaEntry[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const frameOf = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || '(anonymous)'} ${url ? `${place(url)}:${lineNumber + 1}` : ''}`.trim();
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node) continue;
    const frame = frameOf(node);
    self.set(frame, (self.get(frame) ?? 0) + 1);
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const onStack = byId.get(at);
      if (!onStack) break;
      const name = frameOf(onStack);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + 1);
    }
  }
  const samples = profile.samples.length || 1;
  const entries = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, count]) => ({
      frame,
      selfShare: count / samples,
      totalShare: (total.get(frame) ?? count) / samples,
    }));
  return {
    entries,
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, count]) => ({ area, selfShare: count / samples })),
  };
}
