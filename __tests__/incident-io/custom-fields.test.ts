import { customFieldEntries, fieldValues, listOptions, MAX_OPTION_PAGES, type CustomField } from '../../src/incident-io/custom-fields.js';
import { json, scriptedFetch, testClient, type Reply } from '../helpers/fakes.js';

const client = (replies: Reply[]) => {
  const fetch = scriptedFetch(replies);
  return {
    fetch,
    client: testClient(fetch),
  };
};
const field = (field_type: string, extra: Partial<CustomField> = {}): CustomField => ({
  id: `f-${field_type}`,
  name: `The ${field_type}`,
  field_type,
  ...extra,
});
const opts = (...values: string[]) => ({ options: values.map((value, i) => ({ id: `o${i}`, value })), complete: true });

describe('fieldValues', () => {
  it('converts each field type', () => {
    expect(fieldValues(field('single_select'), ' Checkout ', opts('payments', 'checkout'))).toEqual([{ value_option_id: 'o1' }]);
    expect(fieldValues(field('multi_select'), ['a', 'B'], opts('a', 'b'))).toEqual([{ value_option_id: 'o0' }, { value_option_id: 'o1' }]);
    expect(fieldValues(field('text'), 'Deploy failed at step 3')).toEqual([{ value_text: 'Deploy failed at step 3' }]);
    expect(fieldValues(field('link'), 'https://runbooks.example.com/checkout')).toEqual([
      { value_link: 'https://runbooks.example.com/checkout' },
    ]);
    expect(fieldValues(field('numeric'), '12.50')).toEqual([{ value_numeric: '12.50' }]);
    // Sent verbatim as decimal text: no digit is lost to a float.
    expect(fieldValues(field('numeric'), '12345678901234567890')).toEqual([{ value_numeric: '12345678901234567890' }]);
    expect(fieldValues(field('numeric'), '-3')).toEqual([{ value_numeric: '-3' }]);
  });

  it('sends catalog-backed values as entry IDs, external IDs or aliases without a lookup', () => {
    expect(fieldValues(field('single_select', { catalog_type_id: 'cat' }), 'checkout')).toEqual([{ value_catalog_entry_id: 'checkout' }]);
    expect(fieldValues(field('multi_select', { catalog_type_id: 'cat' }), ['a', 'b'])).toEqual([
      { value_catalog_entry_id: 'a' },
      { value_catalog_entry_id: 'b' },
    ]);
  });

  it('accepts an option ID in place of its value', () => {
    expect(fieldValues(field('single_select'), 'o1', opts('x', 'y'))).toEqual([{ value_option_id: 'o1' }]);
  });

  it.each([
    [field('numeric'), 'lots', /"The numeric" to "lots", but it is a numeric field: the value must be a decimal number/],
    [field('numeric'), '', /must be a decimal number/],
    [field('numeric'), '0x10', /must be a decimal number/],
    [field('numeric'), '1e3', /must be a decimal number/],
    [field('numeric'), '12.', /must be a decimal number/],
    [field('numeric'), '+3', /must be a decimal number/],
    [field('numeric'), 'Infinity', /must be a decimal number/],
    [field('link'), 'runbooks/checkout', /it is a link field: the value must be an http:\/\/ or https:\/\/ URL/],
    [field('text'), ['a', 'b'], /to a list of 2 values, but it is a text field, which takes exactly one value/],
    [field('single_select'), ['a', 'b'], /single_select field, which takes exactly one value/],
    [field('datetime'), 'x', /its type "datetime" is not one this action can set/],
  ])('refuses a value that does not fit the field: %#', (f, value, message) => {
    expect(() => fieldValues(f, value as string, opts('a', 'b'))).toThrow(message);
  });

  it('lists the options and suggests the closest for an unknown one', () => {
    expect(() => fieldValues(field('single_select'), 'chekout', opts('payments', 'checkout'))).toThrow(
      'Input "custom-fields" sets "The single_select" to "chekout", which is not one of its options. Available: "payments", "checkout". Did you mean "checkout"?',
    );
  });

  it('shows a multi-select given "a, b" as text how to write the list', () => {
    expect(() => fieldValues(field('multi_select'), 'Platform, payments', opts('Platform', 'Payments'))).toThrow(
      'Input "custom-fields" sets "The multi_select" to "Platform, payments", which is not one of its options. For several values, write a list: "The multi_select": [Platform, payments].',
    );
    // Not when a part is no option either, and not for a single select.
    expect(() => fieldValues(field('multi_select'), 'Platform, Nope', opts('Platform', 'Payments'))).toThrow(
      /Available: "Platform", "Payments"\./,
    );
    expect(() => fieldValues(field('single_select'), 'Platform, Payments', opts('Platform', 'Payments'))).toThrow(/Available:/);
  });

  it('says when only part of a long option list could be read', () => {
    const partial = { options: opts('a').options, complete: false };
    expect(() => fieldValues(field('single_select'), 'zzz', partial)).toThrow(/\(only the first 1 options were read\)/);
  });
});

describe('listOptions', () => {
  const page = (ids: string[], after?: string) =>
    json(200, {
      custom_field_options: ids.map((id) => ({ id, value: `v-${id}` })),
      pagination_meta: { page_size: 250, ...(after && { after }) },
    });

  it('follows the cursor until a page has none', async () => {
    const { client: c, fetch } = client([page(['a', 'b'], 'b'), page(['c'], 'c'), page(['d'])]);
    const result = await listOptions(c, 'f1');
    expect(result).toEqual({ options: ['a', 'b', 'c', 'd'].map((id) => ({ id, value: `v-${id}` })), complete: true });
    expect(fetch.calls.map((call) => new URL(call.url).search)).toEqual([
      '?custom_field_id=f1&page_size=250',
      '?custom_field_id=f1&page_size=250&after=b',
      '?custom_field_id=f1&page_size=250&after=c',
    ]);
  });

  it('stops when the cursor repeats or a page is empty', async () => {
    const repeat = client([page(['a'], 'x'), page(['a'], 'x')]);
    expect((await listOptions(repeat.client, 'f')).options).toHaveLength(2);
    expect(repeat.fetch.calls).toHaveLength(2);
    const empty = client([page(['a'], 'x'), page([], 'y')]);
    expect(await listOptions(empty.client, 'f')).toMatchObject({ complete: true });
    expect(empty.fetch.calls).toHaveLength(2);
  });

  it.each([
    ['without the list', { pagination_meta: {} }, /GET \/v1\/custom_field_options answered .*: custom_field_options is missing/],
    ['with an option that has no value', { custom_field_options: [{ id: 'o1' }] }, /custom_field_options\[0\]\.value is missing/],
    [
      'with an option that has no id',
      { custom_field_options: [{ id: 'o1', value: 'a' }, { value: 'b' }] },
      /custom_field_options\[1\]\.id is missing/,
    ],
    [
      'whose list is an object',
      { custom_field_options: { o1: { id: 'o1', value: 'a' } } },
      /custom_field_options is an object where a list/,
    ],
    ['that is HTML-like text', '<html>', /the answer is text where an object is expected/],
  ])('blames incident.io, not the input, for an answer %s', async (_what, body, message) => {
    const { client: c } = client([json(200, body)]);
    await expect(listOptions(c, 'f')).rejects.toThrow(message);
  });

  it('caps the pages', async () => {
    const pages = Array.from({ length: MAX_OPTION_PAGES + 5 }, (_, i) => page([`o${i}`], `c${i}`));
    const { client: c, fetch } = client(pages);
    expect(await listOptions(c, 'f')).toMatchObject({ complete: false });
    expect(fetch.calls).toHaveLength(MAX_OPTION_PAGES);
  });
});

describe('customFieldEntries', () => {
  it('makes no request when the input is empty', async () => {
    const { client: c, fetch } = client([]);
    expect(await customFieldEntries(c, new Map())).toEqual([]);
    expect(fetch.calls).toHaveLength(0);
  });

  it('looks up options for plain select fields, and catalog entries for catalog-backed ones', async () => {
    const fields = [field('single_select'), field('text'), field('single_select', { id: 'f-cat', name: 'Service', catalog_type_id: 'c' })];
    const route: Reply = (url) => {
      const { pathname } = new URL(url);
      if (pathname === '/v2/custom_fields') return json(200, { custom_fields: fields });
      if (pathname === '/v1/custom_field_options')
        return json(200, { custom_field_options: [{ id: 'o1', value: 'checkout' }], pagination_meta: {} });
      return json(200, {
        catalog_entries: [{ id: 'entry-checkout', name: 'Checkout', external_id: 'checkout', aliases: ['co'] }],
        pagination_meta: {},
      });
    };
    const { client: c, fetch } = client([route, route, route]);
    const entries = await customFieldEntries(
      c,
      new Map([
        ['the single_select', 'checkout'],
        ['THE TEXT', 'hi'],
        ['service', 'co'],
      ]),
    );
    expect(entries).toEqual([
      { custom_field_id: 'f-single_select', values: [{ value_option_id: 'o1' }] },
      { custom_field_id: 'f-text', values: [{ value_text: 'hi' }] },
      { custom_field_id: 'f-cat', values: [{ value_catalog_entry_id: 'entry-checkout' }] },
    ]);
    expect(fetch.calls.map((call) => new URL(call.url).pathname + new URL(call.url).search).sort()).toEqual([
      '/v1/custom_field_options?custom_field_id=f-single_select&page_size=250',
      '/v2/custom_fields',
      '/v3/catalog_entries?catalog_type_id=c&identifier=co&page_size=25',
    ]);
  });

  describe('catalog-backed fields', () => {
    const catalogField = field('multi_select', { id: 'f-svc', name: 'Services', catalog_type_id: 'type-svc' });
    const entries = [
      { id: 'e-checkout', name: 'Checkout', external_id: 'checkout', aliases: ['co'] },
      { id: 'e-payments', name: 'Payments', external_id: 'payments', aliases: [] },
    ];
    const catalog =
      (status = 200): Reply =>
      (url) => {
        const { pathname, searchParams } = new URL(url);
        if (pathname === '/v2/custom_fields') return json(200, { custom_fields: [catalogField] });
        if (status !== 200) return json(status, { type: 'forbidden', errors: [{ message: 'Missing scope catalog_entries.view' }] });
        const id = searchParams.get('identifier');
        const found = id === null ? entries : entries.filter((e) => [e.id, e.external_id, e.name, ...e.aliases].includes(id));
        return json(200, { catalog_entries: found, pagination_meta: {} });
      };

    it('sends each value as its entry ID, found by ID, external ID, alias or name', async () => {
      const { client: c } = client(Array.from({ length: 5 }, () => catalog()));
      const entriesFound = await customFieldEntries(c, new Map([['Services', ['co', 'Payments', 'e-checkout']]]));
      expect(entriesFound).toEqual([
        {
          custom_field_id: 'f-svc',
          values: [
            { value_catalog_entry_id: 'e-checkout' },
            { value_catalog_entry_id: 'e-payments' },
            { value_catalog_entry_id: 'e-checkout' },
          ],
        },
      ]);
    });

    it('refuses an unknown value before anything is written, listing some entries and the closest', async () => {
      const { client: c } = client(Array.from({ length: 5 }, () => catalog()));
      await expect(customFieldEntries(c, new Map([['Services', ['checkuot']]]))).rejects.toThrow(
        'Input "custom-fields" sets "Services" to "checkuot", which is not an entry of its catalog (by ID, external ID, alias or name). Some entries: "Checkout", "Payments". Did you mean "Checkout"?',
      );
    });

    it('passes the values through with one notice when the key may not read the catalog', async () => {
      const { client: c } = client(Array.from({ length: 5 }, () => catalog(403)));
      const notices: string[] = [];
      const result = await customFieldEntries(c, new Map([['Services', ['co', 'payments']]]), notices);
      expect(result).toEqual([
        { custom_field_id: 'f-svc', values: [{ value_catalog_entry_id: 'co' }, { value_catalog_entry_id: 'payments' }] },
      ]);
      expect(notices).toEqual([expect.stringMatching(/may not read the catalog \(incident\.io answered 403\).*"catalog_entries\.view"/)]);
    });
  });

  it('names the unknown field and lists the fields', async () => {
    const { client: c } = client([json(200, { custom_fields: [field('text')] })]);
    await expect(customFieldEntries(c, new Map([['Team', 'x']]))).rejects.toThrow(
      'Input "custom-fields" names "Team", which is not a custom field in this incident.io workspace. Available: "The text".',
    );
  });

  it('reports every unknown field and option in one run', async () => {
    const fields = [field('single_select'), field('multi_select'), field('text')];
    const options = () => json(200, { custom_field_options: [{ id: 'o1', value: 'checkout' }], pagination_meta: {} });
    const { client: c } = client([json(200, { custom_fields: fields }), options(), options()]);
    const error = await customFieldEntries(
      c,
      new Map<string, string | string[]>([
        ['Team', 'x'],
        ['The single_select', 'chekout'],
        ['The multi_select', ['nope', 'checkout', 'nada']],
        ['Owner', 'y'],
      ]),
    ).catch((e: Error) => e);
    expect((error as Error).message.split('\n')).toEqual([
      expect.stringContaining('names "Team", which is not a custom field'),
      expect.stringContaining('"The single_select" to "chekout", which is not one of its options'),
      expect.stringContaining('"The multi_select" to "nope"'),
      expect.stringContaining('"The multi_select" to "nada"'),
      expect.stringContaining('names "Owner", which is not a custom field'),
    ]);
  });

  it('refuses one field named twice, by name and by ID', async () => {
    const { client: c } = client([json(200, { custom_fields: [field('text')] })]);
    await expect(
      customFieldEntries(
        c,
        new Map([
          ['The text', 'a'],
          ['f-text', 'b'],
        ]),
      ),
    ).rejects.toThrow('Input "custom-fields" names "The text" and "f-text", which are the same custom field; name it once.');
  });

  it('unsets a field with [] (values: []), with no option lookup', async () => {
    const { client: c, fetch } = client([json(200, { custom_fields: [field('single_select'), field('text')] })]);
    const entries = await customFieldEntries(
      c,
      new Map<string, string[]>([
        ['The single_select', []],
        ['The text', []],
      ]),
    );
    expect(entries).toEqual([
      { custom_field_id: 'f-single_select', values: [] },
      { custom_field_id: 'f-text', values: [] },
    ]);
    expect(fetch.calls).toHaveLength(1);
  });
});
