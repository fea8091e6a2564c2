// GET /api/info: what the page shows before anything else (the instance, its time zone, the filter operators) and
// which features it offers.
import { FILTER_OPERATORS } from '../../export/index.js';
import type { Route } from '../context.js';
import { sendJson } from '../http.js';

/** Features that other parts of coupa-csv bring later: the page shows them, disabled, with this reason. */
export const NOT_YET = {
  xls: 'Old Excel files (.xls) cannot be read: save the sheet as an Excel workbook (.xlsx) or as CSV.',
} as const;

export const infoRoutes: Record<string, Route> = {
  'GET info': (ctx, { res }) =>
    sendJson(res, 200, {
      instance: ctx.instance.host,
      timezone: ctx.timezone ?? null,
      operators: ['eq', ...FILTER_OPERATORS],
      notAvailable: NOT_YET,
      features: { plan: true, fields: true, xlsxIn: true, xlsxOut: true },
    }),
};
