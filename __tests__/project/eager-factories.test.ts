/**
 * Two build steps that shape how V8 loads the bundle (docs/performance.md):
 * scripts/eager-factories.mjs puts each module factory back in parentheses, so V8 compiles it on
 * parse instead of parsing it twice; it must find ncc's factories, wrap nothing else, and never
 * change what the code does. scripts/minify-chunks.mjs prints every file ASCII-only, so V8 holds
 * its source as one byte per character.
 */
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { moduleFactories, wrapFactories } from '../../scripts/eager-factories.mjs';

const parse = (code: string) => ts.createSourceFile('x.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);

describe('wrapFactories', () => {
  const index =
    'import{createRequire as e}from"module";var t={12:(e,t,n)=>{n.d(t,{a:()=>f});function f(){return{1:"x"}}},' +
    '34:e=>{e.exports=e},56:function(e){e.exports={7:()=>1,8:"not a function"}}};export const x=t;';

  it('wraps every factory of a modules object, arrows and functions, in index.js and chunk form', () => {
    const { code, wrapped } = wrapFactories(index);
    expect(wrapped).toBe(3);
    expect(code).toContain('{12:((e,t,n)=>{n.d(');
    expect(code).toContain(',34:(e=>{e.exports=e}),');
    expect(code).toContain(',56:(function(e){e.exports={7:()=>1,8:"not a function"}})}');
    const chunk = 'export const id=9;export const ids=[9];export const modules={9:(e,t,n)=>{t.v=1}};';
    expect(wrapFactories(chunk).code).toBe('export const id=9;export const ids=[9];export const modules={9:((e,t,n)=>{t.v=1})};');
  });

  it('leaves objects that are not modules objects alone, and is idempotent', () => {
    const { code } = wrapFactories(index);
    // {7:()=>1, 8:"…"} has a non-function value; {1:"x"} has no function; {a:()=>f} has a name key.
    expect(code).toContain('{7:()=>1,8:"not a function"}');
    expect(code).toContain('{a:()=>f}');
    expect(wrapFactories(code)).toEqual({ code, wrapped: 0 });
    expect(wrapFactories('const o={1:2};')).toEqual({ code: 'const o={1:2};', wrapped: 0 });
  });

  it('changes only the parentheses: the program evaluates the same', () => {
    const source =
      'const m={1:(e)=>{e.v=[1,2].map(x=>x*2)},2:function(e){e.w=typeof this}};const a={},b={};m[1](a);m[2](b);JSON.stringify([a,b])';
    const { code } = wrapFactories(source);
    expect(code).not.toBe(source);
    expect(code.replace(/[()]/g, '')).toBe(source.replace(/[()]/g, ''));
    expect((0, eval)(code)).toBe((0, eval)(source));
  });
});

describe('the bundle the tests run', () => {
  const dir = process.env['ACTION_BUNDLE']!;
  const files = readdirSync(dir).filter((name) => /^(\d+\.)?index\.js$/.test(name));

  it.each(files)('%s: is ASCII-only, and reads no template raw strings (where an escape would show)', (name) => {
    const code = readFileSync(`${dir}/${name}`, 'utf8');
    expect([...code.matchAll(/[\u0080-\uffff]/g)].map((m) => code.slice(Math.max(0, m.index - 30), m.index + 5))).toEqual([]);
    expect(code).not.toMatch(/\.raw\b/);
  });

  it.each(files)('%s: every module factory is in parentheses', (name) => {
    const file = parse(readFileSync(`${dir}/${name}`, 'utf8'));
    const factories = moduleFactories(file);
    expect(factories.length).toBeGreaterThan(0);
    // Compared as short source excerpts: a failure must not print whole syntax trees.
    const bare = factories.filter((factory) => !ts.isParenthesizedExpression(factory)).map((factory) => factory.getText(file).slice(0, 40));
    expect(bare).toEqual([]);
  });
});
