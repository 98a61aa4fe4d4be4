import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateName, nameAdjectives, nameSurnames } from './names.ts';

/** A random source that replays `picks` (each taken modulo the range asked for). */
function replay(...picks: number[]): (n: number) => number {
  let i = 0;
  return (n) => {
    assert.ok(i < picks.length, 'asked for more random numbers than expected');
    return picks[i++] % n;
  };
}

describe('name lists', () => {
  it('have about a hundred adjectives and two hundred surnames, all distinct', () => {
    assert.ok(nameAdjectives.length >= 100, `${nameAdjectives.length} adjectives`);
    assert.ok(nameSurnames.length >= 200, `${nameSurnames.length} surnames`);
    assert.equal(new Set(nameAdjectives).size, nameAdjectives.length);
    assert.equal(new Set(nameSurnames).size, nameSurnames.length);
  });
  it('hold only lowercase letters, so every name is a valid container name', () => {
    for (const w of [...nameAdjectives, ...nameSurnames]) assert.match(w, /^[a-z]+$/);
    assert.ok(nameAdjectives.includes('boring') && nameSurnames.includes('wozniak'));
  });
});

describe('generateName', () => {
  it('joins an adjective and a surname with "_"', () => {
    assert.equal(generateName(0, { random: replay(0, 0) }), `${nameAdjectives[0]}_${nameSurnames[0]}`);
    const name = generateName();
    assert.match(name, /^[a-z]+_[a-z]+$/);
    const [adjective, surname] = name.split('_');
    assert.ok(nameAdjectives.includes(adjective) && nameSurnames.includes(surname));
  });

  it('never answers boring_wozniak', () => {
    const boring = nameAdjectives.indexOf('boring');
    const wozniak = nameSurnames.indexOf('wozniak');
    assert.equal(generateName(0, { random: replay(boring, wozniak, boring, 0) }), `boring_${nameSurnames[0]}`);
  });

  it('appends a random digit on a retry, as docker does', () => {
    assert.equal(generateName(1, { random: replay(2, 3, 7) }), `${nameAdjectives[2]}_${nameSurnames[3]}7`);
    for (let i = 0; i < 50; i++) assert.match(generateName(3), /^[a-z]+_[a-z]+[0-9]$/);
  });

  it('spreads over the lists', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateName()));
    assert.ok(seen.size > 150, `${seen.size} distinct names of 200`);
  });
});
