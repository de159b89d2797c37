// A method's own training episodes (classification/trainingRecipe.ts): ProtoNet's 20-way 5-query
// recipe applies only where the user chose nothing, and is fitted to the training classes there are.
import { describe, expect, it } from 'vitest';
import { withTrainingRecipe } from '../../src/core/classification/trainingRecipe';
import { METHOD_CATALOG } from '../../src/core/methods/catalog';

const classes = (n: number, count = 20) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, group: 'g', count }));
const test = { way: 5, shot: 1, query: 15, trainWay: 5, trainShot: 1, trainQuery: 15 };
const none = { trainWay: false, trainQuery: false };
const protonet = METHOD_CATALOG.protonet;

describe("a method's training recipe", () => {
  it('gives ProtoNet 20-way 5-query training episodes on a dataset with hundreds of training classes', () => {
    expect(withTrainingRecipe(test, protonet, classes(688), none)).toMatchObject({ way: 5, shot: 1, query: 15, trainWay: 20, trainShot: 1, trainQuery: 5 });
  });

  it('keeps what the user chose', () => {
    expect(withTrainingRecipe(test, protonet, classes(688), { trainWay: true, trainQuery: false })).toMatchObject({ trainWay: 5, trainQuery: 5 });
    expect(withTrainingRecipe(test, protonet, classes(688), { trainWay: false, trainQuery: true })).toMatchObject({ trainWay: 20, trainQuery: 15 });
  });

  it('never asks for more ways than there are training classes, nor fewer than the test', () => {
    expect(withTrainingRecipe(test, protonet, classes(12), none).trainWay).toBe(12);
    expect(withTrainingRecipe({ ...test, way: 30, trainWay: 30 }, protonet, classes(688), none).trainWay).toBe(30);
  });

  it('keeps the queries when a class has too few images for them', () => {
    const fiveShot = { ...test, shot: 5, trainShot: 5 };
    expect(withTrainingRecipe(fiveShot, protonet, classes(100, 9), none)).toMatchObject({ trainWay: 20, trainQuery: 15 });
    expect(withTrainingRecipe(fiveShot, protonet, classes(100, 10), none).trainQuery).toBe(5);
  });

  it('leaves methods without a recipe on the test episodes', () => {
    expect(withTrainingRecipe(test, METHOD_CATALOG.maml, classes(688), none)).toEqual(test);
  });
});
