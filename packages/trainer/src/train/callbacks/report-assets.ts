import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What report.html inlines to draw offline: uPlot's bundle and stylesheet, and our page script. */
export interface ReportAssets {
  readonly uplotJs: string;
  /** uPlot's MIT licence, which goes with every copy. */
  readonly uplotLicense: string;
  readonly uplotCss: string;
  readonly pageJs: string;
}

let cached: ReportAssets | undefined;

/**
 * Read from the installed uplot package and from report-page.js beside this file (in src/ and,
 * built, in dist/), once per process.
 */
export function reportAssets(): ReportAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const read = (path: string | URL) => readFileSync(path, 'utf8');
  cached = {
    uplotJs: read(require.resolve('uplot/dist/uPlot.iife.min.js')),
    uplotLicense: read(require.resolve('uplot/LICENSE')),
    uplotCss: read(require.resolve('uplot/dist/uPlot.min.css')),
    pageJs: read(new URL('./report-page.js', import.meta.url)),
  };
  return cached;
}
