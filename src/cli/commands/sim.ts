import type { CommandModule } from 'yargs';

export function simCommand(_setExit: (code: number) => void): CommandModule {
  return { command: 'sim', describe: 'Start the local Coupa simulator (not built yet)', handler: () => undefined };
}
