import { isKnownClassification, RSIT_CATEGORIES, SEVERITY_SCALE } from './taxonomy.js';

describe('the classification in force', () => {
  it('holds the eleven RSIT categories, each with unique sub-types', () => {
    expect(RSIT_CATEGORIES.map((c) => c.id)).toEqual([
      'abusive-content',
      'malicious-code',
      'information-gathering',
      'intrusion-attempts',
      'intrusions',
      'availability',
      'information-content-security',
      'fraud',
      'vulnerable',
      'other',
      'test',
    ]);
    for (const category of RSIT_CATEGORIES) {
      expect(new Set(category.subTypes.map((s) => s.id)).size).toBe(category.subTypes.length);
    }
  });

  it('has four severity levels in order, each with written criteria', () => {
    expect(SEVERITY_SCALE.map((s) => s.level)).toEqual([1, 2, 3, 4]);
    expect(SEVERITY_SCALE.every((s) => s.criteria.length > 20)).toBe(true);
  });

  it('knows a pair only when the sub-type belongs to the category', () => {
    expect(isKnownClassification('availability', 'ddos')).toBe(true);
    expect(isKnownClassification('fraud', 'ddos')).toBe(false);
    expect(isKnownClassification('nonsense', 'other')).toBe(false);
  });
});
