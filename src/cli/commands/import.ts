import type { CommandModule } from 'yargs';

export function importCommand(_setExit: (code: number) => void): CommandModule {
  return { command: 'import <file>', describe: 'Import a CSV file (not built yet)', handler: () => undefined };
}

export function validateCommand(_setExit: (code: number) => void): CommandModule {
  return { command: 'validate <file>', describe: 'import --dry-run (not built yet)', handler: () => undefined };
}
