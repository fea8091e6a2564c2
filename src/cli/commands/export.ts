import type { CommandModule } from 'yargs';

export function exportCommand(_setExit: (code: number) => void): CommandModule {
  return { command: 'export', describe: 'Export a custom object to CSV or JSONL (not built yet)', handler: () => undefined };
}
