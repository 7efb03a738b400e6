import { InputError } from '../../src/core/errors.js';
import { findByName, findSeverity, type Severity } from '../../src/incident-io/names.js';
import { closest, editDistance } from '../../src/core/suggest.js';

const severities: Severity[] = [
  { id: '01CRIT', name: 'Critical', rank: 3 },
  { id: '01MINOR', name: 'Minor', rank: 1 },
  { id: '01MAJOR', name: 'Major', rank: 2 },
];

describe('findSeverity', () => {
  it.each(['Major', 'major', '  MAJOR ', '01MAJOR'])('finds %j by name in any case, or by ID', (value) => {
    expect(findSeverity(value, severities)).toEqual({ severity: severities[2], defaulted: false });
  });

  it('uses the lowest rank when empty, whatever the list order', () => {
    expect(findSeverity('', severities)).toEqual({ severity: severities[1], defaulted: true });
  });

  it('lists the choices and suggests the closest name for a typo', () => {
    expect(() => findSeverity('Critcal', severities)).toThrow(
      'Input "severity" is "Critcal", which is not a severity in this incident.io workspace. Available: "Critical", "Minor", "Major". Did you mean "Critical"?',
    );
  });

  it('suggests nothing when nothing is close', () => {
    expect(() => findSeverity('SEV0', severities)).toThrow(/Available: "Critical", "Minor", "Major"\.$/);
  });

  it('explains an empty workspace', () => {
    expect(() => findSeverity('', [])).toThrow(InputError);
    expect(() => findSeverity('Major', [])).toThrow(/has no severities\./);
  });
});

describe('findByName', () => {
  const roles = [
    { id: 'r1', name: 'Incident Lead', shortform: 'lead' },
    { id: 'r2', name: 'Communications', shortform: 'comms' },
  ];
  it('matches aliases such as a shortform, and folds inner spaces', () => {
    expect(findByName('roles', 'role', 'COMMS', roles, { aliases: (r) => [r.shortform] }).id).toBe('r2');
    expect(findByName('roles', 'role', 'incident   lead', roles).id).toBe('r1');
  });

  it('refuses a name that matches two items, listing their IDs', () => {
    const twins = [
      { id: 'a', name: 'Payments' },
      { id: 'b', name: 'payments' },
    ];
    expect(() => findByName('incident-type', 'incident type', 'Payments', twins)).toThrow(
      /matches 2 incident types; use one of their IDs: Payments = a, payments = b/,
    );
  });
});

describe('closest', () => {
  it('prefers containment, then edit distance', () => {
    expect(closest('crit', ['Minor', 'Critical'])).toBe('Critical');
    expect(closest('Majr', ['Minor', 'Major'])).toBe('Major');
    expect(closest('zzzzzz', ['Minor', 'Major'])).toBeUndefined();
  });
  it('computes Levenshtein distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
