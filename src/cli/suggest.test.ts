import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, suggestionText, suggestionsFor } from './suggest.ts';

describe('suggestions for a mistyped command', () => {
  const names = ['start', 'stop', 'stats', 'ps', 'pull', 'push', 'images', 'image', 'inspect', 'version'];

  it('counts edits as Levenshtein does, ignoring case', () => {
    assert.equal(editDistance('stpo', 'stop'), 2);
    assert.equal(editDistance('STOP', 'stop'), 0);
    assert.equal(editDistance('', 'ps'), 2);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('offers names within two edits or starting with what was typed, the closest first', () => {
    assert.deepEqual(suggestionsFor('stpo', names), ['stop']);
    assert.deepEqual(suggestionsFor('imag', names), ['image', 'images']);
    assert.deepEqual(suggestionsFor('pul', names), ['pull', 'ps', 'push']);
    assert.deepEqual(suggestionsFor('vers', names), ['version']);
    assert.deepEqual(suggestionsFor('frobnicate', names), []);
  });

  it('renders cobra\'s "Did you mean this?" block, or nothing', () => {
    assert.equal(suggestionText('stpo', names), '\n\nDid you mean this?\n\tstop');
    assert.equal(suggestionText('zzzzzz', names), '');
  });
});
