// tools/mesh/apps.list: `<app> <port>` per line, the mesh's list of apps that apps.sh runs (and
// that charts and alerts are generated from). Pure text edits, so they are testable on a string.
export interface ListedApp {
  app: string;
  port: number;
}

export const APPS_LIST = 'tools/mesh/apps.list';

export function parseAppsList(text: string): ListedApp[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [app = '', port = ''] = line.split(/\s+/);
      return { app, port: Number(port) };
    });
}

/** The list with the app appended (unchanged when it is listed already); port default: highest + 1. */
export function registerApp(text: string, app: string, port?: number): { text: string; port: number; added: boolean } {
  const listed = parseAppsList(text);
  const existing = listed.find((l) => l.app === app);
  if (existing) return { text, port: existing.port, added: false };
  const chosen = port ?? Math.max(8089, ...listed.map((l) => l.port).filter(Number.isFinite)) + 1;
  const clash = listed.find((l) => l.port === chosen);
  if (clash) throw new Error(`port ${chosen} is already used by ${clash.app} in ${APPS_LIST}; pass another --port`);
  const body = text.endsWith('\n') || text === '' ? text : `${text}\n`;
  return { text: `${body}${app} ${chosen}\n`, port: chosen, added: true };
}
