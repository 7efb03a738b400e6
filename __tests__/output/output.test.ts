/**
 * The output layer: what reaches the runner's stdout cannot run a command, what reaches the job
 * summary cannot break out of its Markdown, and no secret or fragment of one gets through.
 */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { inertAnnotation, inertText } from '../../src/output/commands.js';
import { blocks, code, link, linkTarget, md, text } from '../../src/core/markdown.js';
import { Output } from '../../src/output/output.js';
import { FRAGMENT, Redactor } from '../../src/core/redact.js';
import { card } from '../../src/output/report.js';
import { serverText } from '../../src/core/server-text.js';
import { runner } from '../../src/runner/runner.js';
import { fakeCore } from '../helpers/fakes.js';
import { runnerCommands } from '../helpers/runner-commands.js';

/** Values an attacker can put in a name, a title, a branch or a server's error. */
export const HOSTILE = [
  'Deploy ##[set-output name=status;]PWNED',
  'Deploy\n::add-mask::PWNED',
  'Deploy\r::stop-commands::PWNED',
  'Deploy\r\n::error::PWNED',
  '::warning::PWNED',
  '   ::notice::PWNED',
  '\t::debug::PWNED',
  '\u00a0\u2003::add-mask::PWNED', // .NET trims these spaces too
  '\u0085::add-mask::PWNED',
  'x\n  ##[add-mask]PWNED',
  '##[add-path]/tmp/PWNED',
  'a\n\n\n::set-env name=NODE_OPTIONS::PWNED',
  '%0A::add-mask::PWNED', // escaped form: must not be unescaped into a line break
];

/** Captures what the light runner writes to stdout while `fn` runs. */
function stdoutOf(fn: () => void): string {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = (chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  };
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe('outputs', () => {
  it('writes only the outputs the job declares: another name is a bug, said as one, and nothing is written', () => {
    const core = fakeCore({});
    const out = new Output(core.core, new Redactor(), {}, ['skipped']);
    expect(out.declares('skipped')).toBe(true);
    expect(out.declares('created')).toBe(false);
    expect(() => out.setOutput('created', 'false')).toThrow(
      'The action wrote the output "created", which its job does not declare (skipped).',
    );
    out.setOutput('skipped', 'false');
    expect(core.outputs).toEqual({ skipped: 'false' });
  });
});

describe('runner commands', () => {
  it.each(HOSTILE)('no line of %j becomes a command, through info, debug or an annotation', (value) => {
    const out = new Output({ ...runner, getInput: () => '' }, new Redactor(), { GITHUB_OUTPUT: '/dev/null' }, ['incident-name']);
    const stdout = stdoutOf(() => {
      out.info(`Declared incident INC-1: ${value}`);
      out.info(value);
      out.debug(value);
      out.notice(value, value);
      out.warning(`Something about ${value}`, 'incident.io');
      out.announce(value, value);
    });
    const commands = runnerCommands(stdout);
    expect(commands.map((c) => c.name)).toEqual(['debug', 'notice', 'warning', 'notice']);
    for (const command of commands) {
      expect(command.data.startsWith('PWNED')).toBe(false);
      expect(Object.values(command.properties).join()).not.toMatch(/^PWNED/);
    }
  });

  it('keeps the text readable: only a zero-width space is added', () => {
    expect(inertText('::add-mask::x').replace(/\u200b/g, '')).toBe('::add-mask::x');
    expect(inertText('a ##[b]c').replace(/\u200b/g, '')).toBe('a ##[b]c');
    expect(inertText('line one\r\nline two\rthree')).toBe('line one\nline two\nthree');
    expect(inertText('plain text: a::b')).toBe('plain text: a::b');
    expect(inertAnnotation('a ##[b]')).toBe('a ##\u200b[b]');
  });
});

describe('redaction', () => {
  const key = 'inc_live_0123456789abcdefghij';
  const redactor = new Redactor([key, 'short']);

  it('removes the whole key, its JSON forms and every fragment of 12 or more characters', () => {
    expect(redactor.redact(`a ${key} b`)).toBe('a *** b');
    const escaped = [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    expect(redactor.redact(`a ${escaped} b`)).toBe('a *** b');
    expect(redactor.redact(`a ${escaped.toUpperCase().replaceAll('\\U', '\\u')} b`)).toBe('a *** b');
    for (let start = 0; start + FRAGMENT <= key.length; start++) {
      for (const end of [start + FRAGMENT, key.length]) {
        const out = redactor.redact(`before ${key.slice(start, end)} after`);
        expect(out).toBe('before *** after');
      }
    }
    expect(redactor.redact(`cut ${key.slice(0, FRAGMENT - 1)}`)).toBe(`cut ${key.slice(0, FRAGMENT - 1)}`);
  });

  it('leaves ordinary words alone: values under 8 characters are not treated as secrets', () => {
    expect(redactor.redact('a short story')).toBe('a short story');
  });

  it('redacts server text before cutting it, so no cut leaves half a key', () => {
    for (let padding = 0; padding < 1_100; padding += 7) {
      const shaped = serverText(`${'x'.repeat(padding)}${key}${'y'.repeat(2_000)}`, redactor);
      for (let i = 0; i + FRAGMENT <= key.length; i++) expect(shaped).not.toContain(key.slice(i, i + FRAGMENT));
      expect(shaped.length).toBeLessThan(1_100);
    }
  });

  it('redacts every output, log line, annotation and the summary', async () => {
    const core = fakeCore({});
    const out = new Output(core.core, redactor, { GITHUB_STEP_SUMMARY: '/tmp/summary' }, ['incident-name']);
    out.info(`echo ${key.slice(3, 20)}`);
    out.notice(`notice ${key}`, `title ${key}`);
    out.setOutput('incident-name', `name ${key}`);
    await out.summary(md`summary ${key}`);
    const everything = JSON.stringify([core.log, core.outputs, core.summaryParts]);
    expect(everything).not.toContain(key.slice(3, 15));
    expect(everything).not.toContain(key.slice(0, 12));
  });
});

describe('redaction of Markdown and request bodies', () => {
  // Underscores every few characters: once escaped (`inc\_live\_ab…`), no fragment of the raw key is left whole.
  const key = 'inc_live_ab_cd_ef_gh_ij_kl_mn_op';
  const redactor = new Redactor([key]);
  const unescape = (s: string) => s.replace(/\\([!-/:-@[-`{-~])/g, '$1');

  it('redacts a key that Markdown escaping has split, in the summary and in text', async () => {
    const core = fakeCore({});
    const out = new Output(core.core, redactor, { GITHUB_STEP_SUMMARY: '/tmp/summary' }, ['incident-name']);
    await out.summary(md`- **Notes:** ${`see ${key} here`}`);
    const shown = core.summaryParts.join('');
    expect(shown).toContain('- **Notes:** see *** here');
    expect(unescape(shown)).not.toContain(key.slice(0, FRAGMENT));
    expect(redactor.redact(text(`x${key.slice(4, 20)}y`).source)).toBe('x***y');
  });

  it('redacts every string in a request body, at any depth, and nothing else', () => {
    const body = {
      incident: { name: `Deploy ${key}`, rank: 3, ok: true, gone: null },
      custom_field_entries: [{ values: [{ value_text: key }, { value_link: `https://x.example/?k=${key}` }] }],
      [key]: 'the key of an object is not a value',
    };
    expect(redactor.redactValues(body)).toEqual({
      incident: { name: 'Deploy ***', rank: 3, ok: true, gone: null },
      custom_field_entries: [{ values: [{ value_text: '***' }, { value_link: 'https://x.example/?k=***' }] }],
      [key]: 'the key of an object is not a value',
    });
    expect(new Redactor().redactValues(body)).toBe(body);
  });
});

describe('Markdown', () => {
  const render = (markdown: string) => micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  const HOSTILE_MD = [
    '](https://evil.example)',
    '[click](https://evil.example)',
    '![img](https://evil.example/x.png)',
    '<img src=x onerror=alert(1)>',
    '<script>alert(1)</script>',
    '<!-- hidden -->',
    '`code` and ``more``',
    '*bold* _em_ ~~strike~~',
    'row | split | cells',
    'line\rbreak',
    'line\nbreak\n\n# heading',
    'a\u2028b',
    '&lt;entity&gt; &#124;',
    '$x^2$',
    '\\',
    'https://evil.example/autolink',
    'www.evil.example',
    'mail alice@evil.example',
  ];

  it.each(HOSTILE_MD)('keeps %j as text in a list item', (value) => {
    const html = render(card(md`Declared ${value}`, [['Name', text(value)]]).source);
    expect(html.match(/<li>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<a |<img|<script|<!--|<code>|<em>|<strong>[^N]|<del>|<table|<h1|<br/);
  });

  it.each(HOSTILE_MD)('keeps %j inside its entry of a nested list, and the card one list', (value) => {
    const entries = [text(value), link(value, 'https://runbooks.example.com/x'), md`${value}: ${value}`];
    const html = render(
      card(md`dry run`, [
        ['Would attach', entries],
        ['Created', text(value)],
      ]).source,
    );
    expect(html.match(/<li>/g)).toHaveLength(5);
    expect(html.match(/<ul>/g)).toHaveLength(2);
    expect(html).not.toMatch(/<p>|<img|<script|<!--|<code>|<em>|<strong>[^WC]|<del>|<table|<h1|<br/);
  });

  it('keeps a value of several blocks on its line, so two attachments do not break the list into paragraphs', () => {
    const two = blocks([link('Runbook', 'https://runbooks.example.com/x'), link('Dashboard', 'https://grafana.example.com/d')]);
    const html = render(
      card(md`dry run`, [
        ['Would attach', two],
        ['Created', md`nothing`],
      ]).source,
    );
    expect(html).not.toContain('<p>');
    expect(html.match(/<li>/g)).toHaveLength(2);
  });

  it('leaves out an item whose list is empty', () => {
    expect(
      card(md`x`, [
        ['Would attach', []],
        ['Created', md`nothing`],
      ]).source,
    ).toBe('### incident.io: x\n\n- **Created:** nothing');
  });

  it.each(['a`b', '``', '`', ' lead', 'trail ', 'x ``` y'])('holds any backticks in a code span: %j', (value) => {
    const html = render(md`- key: ${code(value)}`.source);
    const inner = /<code>(.*)<\/code>/.exec(html)?.[1];
    expect(inner).toBe(value.replace(/&/g, '&amp;'));
  });

  it('makes links only of https, or http to loopback, and shows any other as text', () => {
    expect(render(link('INC-1', 'https://app.incident.io/x/incidents/1').source)).toContain(
      '<a href="https://app.incident.io/x/incidents/1">INC-1</a>',
    );
    expect(render(link('INC-1', 'http://127.0.0.1:8080/x').source)).toContain('<a href="http://127.0.0.1:8080/x">');
    for (const url of ['javascript:alert(1)', 'http://evil.example/x', 'data:text/html,x', 'https://user:pw@evil.example/', 'vbscript:x']) {
      const html = render(`- ${link('INC-1', url).source}`);
      expect(html).not.toMatch(/<a /);
      expect(html).toContain('<code>');
    }
  });

  it('breaks autolinks in any case, and never links a URL that carries a password', () => {
    for (const name of ['WWW.evil.example', 'Www.evil.example/x', 'HTTPS://evil.example']) {
      expect(render(text(`branch ${name}`).source)).not.toContain('<a ');
    }
    expect(linkTarget('https://:hunter2pw@app.incident.io/x')).toBeUndefined();
    expect(linkTarget('https://user@app.incident.io/x')).toBeUndefined();
  });

  it('keeps a link target from closing early or carrying HTML', () => {
    expect(linkTarget('https://app.incident.io/a)b(c d<e>"f\'')).toBe('https://app.incident.io/a%29b%28c%20d%3Ce%3E%22f%27');
    const html = render(link('label', 'https://app.incident.io/a) [x](https://evil.example').source);
    expect(html.match(/<a /g)).toHaveLength(1);
    expect(html).toContain('href="https://app.incident.io/a%29%20%5Bx%5D%28https://evil.example"');
  });
});
