// The texts of a locale as the app builds them: app/locales/<locale>.json plus every
// app/locales/<locale>/<area>.json (see app/build.rs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './server.mjs';

export function loadLocale(locale) {
  const dir = path.join(REPO_ROOT, 'app', 'locales');
  const table = JSON.parse(readFileSync(path.join(dir, `${locale}.json`), 'utf8'));
  const areaDir = path.join(dir, locale);
  if (existsSync(areaDir)) {
    for (const file of readdirSync(areaDir).filter((f) => f.endsWith('.json')).sort()) {
      Object.assign(table, JSON.parse(readFileSync(path.join(areaDir, file), 'utf8')));
    }
  }
  return table;
}
