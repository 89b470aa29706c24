// --help text, generated from the settings table so it never disagrees with the parser.
import { SETTINGS } from '../config/schema.js';

export interface HelpSection {
  title: string;
  lines: [string, string][];
}

function table(rows: [string, string][]): string {
  const w = Math.min(34, Math.max(...rows.map(([a]) => a.length)) + 2);
  return rows.map(([a, b]) => `  ${a.padEnd(w)}${b}`).join('\n');
}

export function settingsHelp(): string {
  const rows: [string, string][] = [];
  for (const s of SETTINGS) {
    rows.push([`--${s.flag} ${s.arg}`, s.help]);
    rows.push(['', `default: ${s.defaultText}; env ${s.env}; config key ${s.file}`]);
  }
  rows.push(['--config FILE, -c', 'read settings from a TOML or JSON file (keys as above)']);
  rows.push(['', 'default: none; env INFERNO_CONFIG']);
  rows.push(['--help, -h', 'show this help']);
  return table(rows);
}

export function mainHelp(): string {
  return [
    'inferno: a Dante-compatible audio-over-IP device for Linux',
    '',
    'Usage:',
    '  inferno [options]              run the headless device server',
    '  inferno ctl COMMAND ...        control Dante devices (see inferno ctl --help)',
    '  inferno --version              print the version',
    '',
    'Settings take effect in this order: defaults < config file < environment < flags.',
    '',
    'Options:',
    settingsHelp(),
    '',
  ].join('\n');
}
