import { readFileSync } from 'node:fs';
import type { SimConfig } from '../../src/sim/index.js';

/**
 * The sample simulator config plus object 103, a German budget object whose field names are not the headers of
 * the spreadsheet that feeds it: what `mapping init --object` has to match.
 */
export function germanConfig(): SimConfig {
  const config = JSON.parse(readFileSync('samples/sim-config.json', 'utf8')) as SimConfig;
  config.objects.push({
    id: 103,
    code: 'budget_de',
    name: 'Budget DE',
    fields: [
      { name: 'vendor-name', type: 'text' },
      { name: 'geschaftsjahr', type: 'integer' },
      { name: 'kostenstelle', type: 'lookup', lookup: 'cost-centers' },
      { name: 'betrag', type: 'decimal' },
      { name: 'freigegeben', type: 'boolean' },
      { name: 'start-datum', type: 'date' },
      { name: 'verantwortlich', type: 'user' },
      { name: 'menge', type: 'integer' },
      { name: 'bemerkung', type: 'text' },
    ],
  });
  return config;
}

/** One record of object 103, so that its fields can be read. */
export const GERMAN_RECORD = {
  'vendor-name': 'Acme',
  geschaftsjahr: 2025,
  kostenstelle: { name: 'Marketing' },
  betrag: '100.00',
  freigegeben: true,
  // A date as Coupa stores it: midnight in the instance's zone.
  'start-datum': '2025-01-01T00:00:00+01:00',
  verantwortlich: { login: 'jdoe' },
  menge: 3,
  bemerkung: 'alt',
};

/** A German Excel-style CSV for object 103: `;`, decimal comma with `.` groups, DD.MM.YYYY, Ja/Nein. */
export const GERMAN_CSV = [
  'Name Vendor;Geschäftsjahr;Kostenstelle Name;Betrag;Freigegeben;Start-Datum;Verantwortlich;Menge;Mystery',
  'Northwind;2026;Marketing;12.500,00;Ja;01.02.2026;jdoe;viele;x',
  'Contoso;2026;Finance;1.250,50;Nein;15.03.2026;asmith;wenige;y',
  '',
].join('\r\n');
