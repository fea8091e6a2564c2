import type { XlsxSink } from './excel.js';
import { writeOutput, type OutputTarget } from './output.js';
import type { ExportOptions } from './types.js';

/** Where the export's bytes go: `--out` (through a temporary file) or stdout, gzipped or not. */
export function outputTarget(options: ExportOptions): OutputTarget {
  return {
    out: options.out,
    gzip: options.gzip ?? false,
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/**
 * Writes the export: the text of `source` to the output, or, with a workbook `sink`, the records into the workbook
 * while its bytes go to the output. Nothing appears at `out` unless it all succeeded.
 */
export async function writeExport(
  target: OutputTarget,
  source: AsyncIterable<string>,
  sink: XlsxSink | undefined,
): Promise<void> {
  if (sink) await writeXlsx(sink, source, target);
  else await writeOutput(target, source);
}

/**
 * Drives an xlsx export: the records go into the workbook while its bytes go to the output; an error on either side
 * stops both (the output's temporary file is removed).
 */
async function writeXlsx(sink: XlsxSink, source: AsyncIterable<string>, target: OutputTarget): Promise<void> {
  const written = writeOutput(target, sink.bytes);
  // Rejections are handled below, once the source is drained or has failed.
  written.catch(() => undefined);
  try {
    for await (const _chunk of source) {
      // The records go into the workbook as the source formats them.
    }
    await sink.finish();
  } catch (error) {
    sink.fail(error);
    await written.catch(() => undefined);
    throw error;
  }
  await written;
}
