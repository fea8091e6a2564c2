import type { CommandModule } from 'yargs';

export function mappingCommand(_setExit: (code: number) => void): CommandModule {
  return { command: 'mapping init <file>', describe: 'Mapping skeleton from a CSV header (not built yet)', handler: () => undefined };
}
