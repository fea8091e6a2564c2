import type { ObjectInstance } from '../coupa/index.js';
import { contradictedOffset, describeZoneMismatch, instanceOffsets } from '../run/index.js';
import { UsageError } from '../shared/index.js';
import { formatOffset } from '../shared/index.js';
import type { RowExtra } from './row-decision.js';
import type { ImportStop } from './types.js';

/** What the check needs of the run. */
export interface ZoneCheckOptions {
  /** The zone dates are sent in (`UTC` when none is set). */
  timezone: string;
  /** Where the zone was set, or undefined when it was not. */
  zoneSetBy: string | undefined;
  /** Whether the rows carry dates at all (nothing to check otherwise). */
  writesDates: boolean;
}

/** A stored record's dates are shifted: the row's warning and the run's stop. */
export interface ZoneVerdict {
  extra: RowExtra;
  stop: ImportStop;
}

/**
 * No silent date shift. Coupa writes a record's `created-at`/`updated-at` in the instance's zone, so their offsets
 * say which zone dates must be sent in. The preflight's record is checked before anything is written; an object
 * with no records is checked on the first record this run stores, which is sent alone (the pipeline holds the other
 * rows back while {@link probing}). A run whose dates would be stored shifted stops (exit 2).
 */
export class ZoneCheck {
  private learning = false;

  constructor(private readonly options: ZoneCheckOptions) {}

  /** True while the first stored record must be awaited before another row is sent. */
  probing(): boolean {
    return this.learning;
  }

  /**
   * Checks the record the preflight read (undefined: the object has none). Throws UsageError TIMEZONE (exit 2,
   * nothing sent) when its offsets contradict the run's zone; with no offset to read, the first stored record is
   * checked instead.
   */
  checkPreflight(record: ObjectInstance | undefined): void {
    if (!this.options.writesDates) return;
    const seen = instanceOffsets(record);
    if (seen.length === 0) {
      this.learning = true;
      return;
    }
    const wrong = contradictedOffset(seen, this.options.timezone);
    if (!wrong) return;
    const { message } = describeZoneMismatch(wrong, seen, this.options.timezone, this.options.zoneSetBy);
    throw new UsageError(`${message}. Nothing was sent`, 'TIMEZONE');
  }

  /**
   * Checks a record the run stored while probing: undefined when its dates are right (or nothing is being probed),
   * else the row's warning and the stop. `line`: the row's input line, for the message.
   */
  checkStored(line: number, returned: ObjectInstance): ZoneVerdict | undefined {
    if (!this.learning) return undefined;
    this.learning = false;
    const seen = instanceOffsets(returned);
    const wrong = contradictedOffset(seen, this.options.timezone);
    if (!wrong) return undefined;
    const { message, zones } = describeZoneMismatch(
      wrong,
      seen,
      this.options.timezone,
      this.options.zoneSetBy,
    );
    const offset = formatOffset(wrong.offsetMs);
    return {
      extra: {
        error: `stored with its dates shifted (the instance is at ${offset}, dates were sent for ${this.options.timezone}): set the zone and run again with --resume to correct this record`,
        code: 'date-shifted',
      },
      stop: {
        code: 'TIMEZONE',
        message:
          `${message}. Line ${line} was stored first, to learn the offset (record ${returned.id}, marked date-shifted in the results file); ` +
          'the other rows were not sent. With the zone set, run again with --mode upsert --resume (or --resume): it corrects that record and sends the rest',
        exitCode: 2,
        zones,
      },
    };
  }
}
