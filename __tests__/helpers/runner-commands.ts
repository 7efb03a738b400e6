/**
 * The GitHub runner's workflow-command parser, written from its documented rules
 * (actions/runner, src/Runner.Common/ActionCommand.cs), so tests can see exactly which commands
 * a step's stdout would run:
 * - stdout is read line by line; CR, LF and CRLF each end a line;
 * - "::name props::data" is a command when the line, after .NET's TrimStart, starts with "::"
 *   and the name is a registered command;
 * - otherwise "##[name props]data" anywhere in the line is the legacy form, when the name is
 *   registered;
 * - "::stop-commands::token" turns parsing off until a line "::token::".
 */
import { secretForms } from '../../src/core/redact.js';

/** The commands the runner registers. */
export const REGISTERED = new Set([
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'add-path',
  'set-env',
  'set-output',
  'save-state',
  'echo',
  'stop-commands',
  'debug',
  'notice',
  'warning',
  'error',
  'group',
  'endgroup',
  'internal-set-repo-path',
]);

export interface RunnerCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
  line: string;
  form: 'v2' | 'legacy';
}

/** Characters .NET's Char.IsWhiteSpace accepts (what TrimStart removes). */
const DOTNET_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;

const unescapeData = (s: string) => s.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
const unescapeProperty = (s: string) => unescapeData(s).replaceAll('%3A', ':').replaceAll('%2C', ',');

function parseV2(line: string): RunnerCommand | undefined {
  const message = line.replace(DOTNET_SPACE, '');
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!REGISTERED.has(name)) return undefined;
  const properties = space > 0 ? parseProperties(info.slice(space + 1).trim(), ',', unescapeProperty) : {};
  return { name, properties, data: unescapeData(message.slice(end + 2)), line, form: 'v2' };
}

/** `key=value` pairs split by separator; a pair without a key or a value is dropped, as the runner does. */
function parseProperties(text: string, separator: string, unescape: (value: string) => string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const pair of text.split(separator).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at > 0 && at < pair.length - 1) properties[pair.slice(0, at)] = unescape(pair.slice(at + 1));
  }
  return properties;
}

function parseLegacy(line: string): RunnerCommand | undefined {
  const start = line.indexOf('##[');
  if (start < 0) return undefined;
  const close = line.indexOf(']', start);
  if (close < 0) return undefined;
  const info = line.slice(start + 3, close);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!REGISTERED.has(name)) return undefined;
  const properties = space > 0 ? parseProperties(info.slice(space + 1), ';', unescapeData) : {};
  return { name, properties, data: unescapeData(line.slice(close + 1)), line, form: 'legacy' };
}

/** Every command the runner would run for this stdout, in order. */
export function runnerCommands(stdout: string): RunnerCommand[] {
  const commands: RunnerCommand[] = [];
  let stopToken: string | undefined;
  for (const line of stdout.split(/\r\n|\r|\n/)) {
    if (stopToken !== undefined) {
      if (line.replace(DOTNET_SPACE, '') === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    const command = parseV2(line) ?? parseLegacy(line);
    if (!command) continue;
    commands.push(command);
    if (command.name === 'stop-commands') stopToken = command.data;
  }
  return commands;
}

/**
 * The commands this action issues itself: masks of its own secrets (each in every form the
 * Redactor knows, secretForms), and debug lines and annotations, none of whose data starts with
 * an injected payload. Returns what breaks that.
 */
export function foreignCommands(stdout: string, secrets: readonly string[], marker = 'PWNED'): RunnerCommand[] {
  const own = new Set(['debug', 'notice', 'warning', 'error']);
  const masks = new Set([...secrets, ...secrets.flatMap(secretForms)]);
  return runnerCommands(stdout).filter((command) => {
    if (command.name === 'add-mask') return !masks.has(command.data);
    if (!own.has(command.name) || command.form !== 'v2') return true;
    return command.data.startsWith(marker) || Object.values(command.properties).some((v) => v.startsWith(marker));
  });
}
